"""Benchmarks use the shared server helpers in bot/devtools, never the tests' modules."""

import ast

from bot import PROJECT_ROOT


def imported_modules(path) -> set:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_bench_does_not_import_tests():
    offenders = {
        path.name: sorted(m for m in imported_modules(path) if m.split(".")[0] == "tests")
        for path in sorted((PROJECT_ROOT / "bench").glob("*.py"))
    }
    assert not {name: mods for name, mods in offenders.items() if mods}


def test_tests_servers_is_the_devtools_module():
    import bot.devtools.servers as home
    import tests.servers as alias

    for name in ("start_pair", "running_pair", "RasaServer", "ActionServer", "TOKEN"):
        assert getattr(alias, name) is getattr(home, name)
