/*
 * Agent console of the helpdesk (KCC): log in, see waiting conversations with their
 * transcripts, take one, chat with the user in their own channel, close it.
 * Vanilla JS; polls the console API every 1.5 s. All text goes in with textContent.
 */
(function () {
  "use strict";

  var API = "/console/api";
  var POLL_MS = 1500;
  var LABELS = { user: "Gebruiker", bot: "Assistent", agent: "Medewerker", system: "Systeem",
                 transcript: "Gesprek" };
  var CHANNELS = { socketio: "website-chat", rest: "REST", telegram: "Telegram",
                   facebook: "Messenger", twilio: "SMS/WhatsApp", slack: "Slack" };

  var $ = function (id) { return document.getElementById(id); };
  var me = null;
  var selected = null;   // handoff id
  var lastMessageId = 0;
  var current = null;    // the selected handoff
  var timer = null;

  function request(method, path, body) {
    var options = { method: method, credentials: "same-origin", headers: {} };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(API + path, options).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (data) {
        if (resp.status === 401 && path !== "/login") { showLogin(); }
        if (!resp.ok) { var e = new Error(data.error || ("HTTP " + resp.status)); e.status = resp.status; throw e; }
        return data;
      });
    });
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function since(iso) {
    var seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    if (seconds < 60) return seconds + " s";
    return Math.floor(seconds / 60) + " min";
  }

  // ------------------------------------------------------------------ views
  function showLogin() {
    me = null; stop();
    $("who").hidden = true; $("desk-view").hidden = true; $("login-view").hidden = false;
    $("login-name").focus();
  }

  function showDesk(agent) {
    me = agent;
    $("agent-name").textContent = agent;
    $("who").hidden = false; $("login-view").hidden = true; $("desk-view").hidden = false;
    start();
  }

  function start() { stop(); poll(); timer = setInterval(poll, POLL_MS); }
  function stop() { if (timer) clearInterval(timer); timer = null; }

  // ------------------------------------------------------------------ queue
  function renderQueue(items) {
    var list = $("queue");
    list.textContent = "";
    $("queue-empty").hidden = items.length > 0;
    items.forEach(function (h) {
      var li = el("li", { "class": h.status });
      var label = h.status === "waiting"
        ? "Wacht (nr. " + h.position + ")"
        : (h.agent === me ? "Bij jou" : "Bij " + h.agent);
      var btn = el("button", { type: "button", "data-id": String(h.id),
                               "aria-current": String(h.id === selected) });
      btn.appendChild(el("span", { "class": "state" }, label));
      btn.appendChild(document.createTextNode(
        "Gesprek " + h.id + " via " + (CHANNELS[h.channel] || h.channel) + ", sinds " + since(h.created_at)));
      btn.addEventListener("click", function () { select(h.id); });
      li.appendChild(btn);
      list.appendChild(li);
    });
  }

  // ------------------------------------------------------------------ contact requests
  var DELIVERY = { pending: "wacht op verzending", delivered: "verzonden" };
  var pollCount = 0;

  function renderRequests(items) {
    var list = $("requests");
    list.textContent = "";
    $("requests-empty").hidden = items.length > 0;
    items.forEach(function (r) {
      var li = el("li");
      li.appendChild(el("strong", {}, r.reference + " \u2013 " + r.name));
      var how = [r.email, r.phone].filter(Boolean).join(", ");
      li.appendChild(el("span", { "class": "line" }, how));
      li.appendChild(el("span", { "class": "line" }, r.question));
      var states = r.deliveries.map(function (d) {
        return d.adapter + ": " + (DELIVERY[d.status] || d.status);
      }).join("; ");
      li.appendChild(el("span", { "class": "line hint" }, states));
      list.appendChild(li);
    });
  }

  // ------------------------------------------------------------------ one conversation
  function messageItem(m) {
    var who = m.from;
    var li = el("li", { "class": who });
    var label = LABELS[who] || who;
    if (who === "agent" && m.agent) label += " (" + m.agent + ")";
    li.appendChild(el("span", { "class": "from" }, label));
    li.appendChild(document.createTextNode(m.text));
    return li;
  }

  function select(id) {
    selected = id; lastMessageId = 0; current = null;
    $("messages").textContent = ""; $("transcript").textContent = "";
    $("chat-error").textContent = "";
    poll();
  }

  function renderHandoff(data) {
    var h = data.handoff;
    var firstLoad = !current || current.id !== h.id;
    current = h;
    $("chat-title").textContent = "Gesprek " + h.id;
    var state = h.status === "waiting" ? "wacht op een medewerker"
      : h.status === "active" ? (data.mine ? "bij jou" : "bij " + h.agent)
      : "afgesloten";
    $("chat-meta").textContent = "Kanaal: " + (CHANNELS[h.channel] || h.channel) + ". Status: " + state + ".";
    $("take").hidden = h.status !== "waiting";
    $("close").hidden = !data.mine;
    $("reply-form").hidden = !data.mine;
    $("transcript-title").hidden = !h.transcript.length;
    $("live-title").hidden = false;
    if (firstLoad) {
      $("transcript").textContent = "";
      h.transcript.forEach(function (m) { $("transcript").appendChild(messageItem(m)); });
    }
    data.messages.forEach(function (m) {
      if (m.id <= lastMessageId) return;  // two polls in flight
      $("messages").appendChild(messageItem(m));
      lastMessageId = Math.max(lastMessageId, m.id);
    });
  }

  function poll() {
    if (!me) return;
    request("GET", "/handoffs").then(function (data) { renderQueue(data.handoffs); }).catch(function () {});
    if (pollCount++ % 7 === 0) {
      request("GET", "/contact-requests").then(function (data) {
        renderRequests(data.contact_requests);
      }).catch(function () {});
    }
    if (selected !== null) {
      var id = selected;
      request("GET", "/handoffs/" + id + "?after=" + lastMessageId).then(function (data) {
        if (id === selected) renderHandoff(data);
      }).catch(function (e) { $("chat-error").textContent = e.message; });
    }
  }

  // ------------------------------------------------------------------ actions
  $("login-form").addEventListener("submit", function (e) {
    e.preventDefault();
    $("login-error").textContent = "";
    request("POST", "/login", { name: $("login-name").value, password: $("login-password").value })
      .then(function (data) { $("login-password").value = ""; showDesk(data.agent); })
      .catch(function (err) { $("login-error").textContent = err.message; });
  });

  $("logout").addEventListener("click", function () {
    request("POST", "/logout", {}).finally(showLogin);
  });

  $("take").addEventListener("click", function () {
    if (selected === null) return;
    $("chat-error").textContent = "";
    request("POST", "/handoffs/" + selected + "/take", {})
      .then(function () { poll(); $("reply").focus(); })
      .catch(function (err) { $("chat-error").textContent = err.message; poll(); });
  });

  $("close").addEventListener("click", function () {
    if (selected === null) return;
    request("POST", "/handoffs/" + selected + "/close", {})
      .then(poll)
      .catch(function (err) { $("chat-error").textContent = err.message; });
  });

  $("reply-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var text = $("reply").value.trim();
    if (!text || selected === null) return;
    request("POST", "/handoffs/" + selected + "/messages", { text: text })
      .then(function () { $("reply").value = ""; poll(); })
      .catch(function (err) { $("chat-error").textContent = err.message; });
  });

  $("reply").addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); $("send").click(); }
  });

  request("GET", "/me").then(function (data) { showDesk(data.agent); }).catch(function () { showLogin(); });
})();
