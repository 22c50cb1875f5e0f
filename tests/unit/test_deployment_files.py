"""docker-compose.yml and the Helm values stay in step with Settings and the README's table.

No image can be pulled and no container run here, so this checks what can be checked: the files
parse, every variable they give the assistant is one the code reads and the README documents, no
secret is written in them, the commands exist, and ports and health checks agree.
"""

import re
from urllib.parse import urlparse

import pytest
import yaml

from bot import PROJECT_ROOT
from bot.cli import build_parser
from bot.settings import Settings

COMPOSE = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
RASA_VALUES = yaml.safe_load((PROJECT_ROOT / "deploy/helm/rasa-values.yaml").read_text())
ACTION_VALUES = yaml.safe_load((PROJECT_ROOT / "deploy/helm/action-server-values.yaml").read_text())
OUR_IMAGE = "impact-assistent"
SECRET_VARS = {"POSTGRES_PASSWORD", "REDIS_PASSWORD", "RABBITMQ_PASSWORD", "RASA_TOKEN"}


def settings_vars() -> set:
    """Every environment variable bot/settings.py reads."""
    source = (PROJECT_ROOT / "bot" / "settings.py").read_text()
    return set(re.findall(r'(?:env\.get|_path\(env,|_choice\(env,)\(?\s*"([A-Z_]+)"', source))


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


def assistant_services() -> dict:
    return {
        name: svc
        for name, svc in COMPOSE["services"].items()
        if svc.get("image", "").startswith(OUR_IMAGE)
    }


def helm_env(values: dict) -> dict:
    return {item["name"]: item for item in values["extraEnv"]}


def test_settings_and_readme_table_agree():
    assert settings_vars() <= readme_vars(), settings_vars() - readme_vars()


def test_compose_parses_and_runs_our_services():
    assert set(assistant_services()) == {"rasa", "action-server", "retention"}
    assert {"postgres", "redis", "rabbitmq"} <= set(COMPOSE["services"])


@pytest.mark.parametrize("name", ["rasa", "action-server", "retention"])
def test_compose_sets_only_documented_variables_the_code_reads(name):
    env = assistant_services()[name]["environment"]
    unknown = set(env) - (settings_vars() & readme_vars())
    assert not unknown, f"{name} sets variables the code does not read: {unknown}"


def test_compose_sets_every_store_variable():
    """A new store/broker setting must be added to the deployment too."""
    env = assistant_services()["rasa"]["environment"]
    wanted = {
        v
        for v in settings_vars()
        if v.split("_")[0]
        in {"POSTGRES", "REDIS", "RABBITMQ", "TRACKER", "LOCK", "EVENT", "RETENTION"}
    }
    assert wanted <= set(env), wanted - set(env)


@pytest.mark.parametrize("values", [RASA_VALUES, ACTION_VALUES], ids=["rasa", "action-server"])
def test_helm_sets_only_documented_variables_the_code_reads(values):
    unknown = set(helm_env(values)) - (settings_vars() & readme_vars())
    assert not unknown, unknown


def test_helm_rasa_values_set_every_variable_compose_gives_the_rasa_server():
    compose_env = set(assistant_services()["rasa"]["environment"])
    # RETENTION_INTERVAL_HOURS and ACTION_PORT belong to other processes in Kubernetes
    # (a CronJob and the action-server chart).
    assert compose_env - {"RETENTION_INTERVAL_HOURS", "ACTION_PORT"} <= set(
        helm_env(RASA_VALUES)
    ), compose_env - set(helm_env(RASA_VALUES))


def test_no_secret_is_written_in_the_files():
    for name, svc in assistant_services().items():
        for var in SECRET_VARS & set(svc["environment"]):
            pattern = r"\$\{" + var + r":\?[^}]*\}"
            assert re.fullmatch(pattern, svc["environment"][var]), (name, var)
    for var in SECRET_VARS:
        item = helm_env(RASA_VALUES)[var]
        assert "value" not in item and "secretKeyRef" in item["valueFrom"]


def test_commands_exist():
    for svc in assistant_services().values():
        argv = svc["command"]
        assert argv[:3] == ["python", "-m", "bot"]
        build_parser().parse_args(argv[3:])
    for values in (RASA_VALUES, ACTION_VALUES):
        build_parser().parse_args(values["command"][3:])


def _port(url: str) -> int:
    return urlparse(url).port


def _health_url(svc: dict) -> str:
    return re.search(r"http://[^']+", " ".join(svc["healthcheck"]["test"])).group(0)


def test_rasa_ports_and_health_checks_agree():
    svc = assistant_services()["rasa"]
    port = int(svc["environment"]["RASA_PORT"])
    assert port == Settings.from_env({}).rasa_port
    assert _port(_health_url(svc)) == port
    assert svc["ports"] == [str(port)]
    assert RASA_VALUES["applicationSettings"]["port"] == port == RASA_VALUES["service"]["port"]
    assert int(helm_env(RASA_VALUES)["RASA_PORT"]["value"]) == port
    for probe in ("livenessProbe", "readinessProbe"):
        assert RASA_VALUES[probe]["httpGet"]["port"] == port
        assert RASA_VALUES[probe]["httpGet"]["path"] == urlparse(_health_url(svc)).path


def test_action_server_ports_and_health_checks_agree():
    svc = assistant_services()["action-server"]
    port = int(svc["environment"]["ACTION_PORT"])
    assert port == Settings.from_env({}).action_port
    assert _port(svc["environment"]["ACTION_SERVER_URL"]) == port
    assert _port(_health_url(svc)) == port and svc["expose"] == [str(port)]
    assert ACTION_VALUES["applicationSettings"]["port"] == port == ACTION_VALUES["service"]["port"]
    assert _port(helm_env(RASA_VALUES)["ACTION_SERVER_URL"]["value"]) == port
    assert _port(RASA_VALUES["rasa-action-server"]["external"]["url"]) == port
    for probe in ("livenessProbe", "readinessProbe"):
        assert ACTION_VALUES[probe]["httpGet"] == {
            "path": urlparse(_health_url(svc)).path,
            "port": port,
        }


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

    env = {
        k: ("x" if k in SECRET_VARS else v)
        for k, v in assistant_services()["rasa"]["environment"].items()
    }
    config = endpoints.endpoints(Settings.from_env({**env, "DATA_DIR": str(tmp_path)}))
    assert config["tracker_store"]["dialect"] == "postgresql"
    assert config["tracker_store"]["url"] == "postgres"
    assert config["lock_store"]["type"] == "redis"
    assert config["event_broker"]["type"] == "pika"
    assert config["action_endpoint"]["url"] == env["ACTION_SERVER_URL"]
