"""Every custom action is guarded: an exception is logged with traceback and answered in Dutch."""

import asyncio
import inspect
import logging

from rasa_sdk import Tracker
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

import actions.search
from actions.base import GuardedAction


def all_project_actions():
    executor = ActionExecutor()
    executor.register_package("actions")
    return executor.actions


def test_every_registered_action_is_guarded():
    registered = all_project_actions()
    assert "action_search" in registered and "action_contact" in registered
    for name, run in registered.items():
        owner = run.__self__
        assert isinstance(owner, GuardedAction), f"{name} is not a GuardedAction"
        assert getattr(type(owner).run, "__guarded__", False), f"{name}.run is not guarded"


def test_the_base_class_is_not_registered_as_an_action():
    assert inspect.isabstract(GuardedAction)
    assert all(type(run.__self__) is not GuardedAction for run in all_project_actions().values())


def test_a_failing_action_is_logged_and_apologises(monkeypatch, caplog):
    def broken():
        raise RuntimeError("catalogue broke")

    monkeypatch.setattr(actions.search, "live_catalog", broken)
    dispatcher = CollectingDispatcher()
    tracker = Tracker(
        "u1",
        {},
        {"text": "ik zoek aanbod", "intent": {"name": "search_offers"}, "entities": []},
        [],
        False,
        None,
        {},
        "action_listen",
    )
    with caplog.at_level(logging.ERROR, logger="actions.base"):
        events = asyncio.run(actions.search.ActionSearch().run(dispatcher, tracker, {}))
    assert events == []
    [message] = dispatcher.messages
    assert message["text"].startswith("Sorry, er ging bij mij iets mis.")
    assert "Bel dan 14 023" in message["text"]
    assert message["buttons"] == [{"title": "Een medewerker spreken", "payload": "/request_human"}]
    assert "custom action action_search failed" in caplog.text
    assert "RuntimeError: catalogue broke" in caplog.text  # the traceback is in the log


def test_partial_output_of_a_failing_action_is_replaced():
    class HalfWay(GuardedAction):
        def name(self):
            return "action_half_way"

        async def run(self, dispatcher, tracker, domain):
            dispatcher.utter_message(text="Hier zijn de eerste drie ...")
            raise ValueError("page broke")

    dispatcher = CollectingDispatcher()
    tracker = Tracker("u1", {}, {}, [], False, None, {}, "action_listen")
    assert asyncio.run(HalfWay().run(dispatcher, tracker, {})) == []
    assert len(dispatcher.messages) == 1
    assert dispatcher.messages[0]["text"].startswith("Sorry")
