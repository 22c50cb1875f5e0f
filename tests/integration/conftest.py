# The server fixtures (servers, rasa_server, action_server, programme_dir) are in
# tests/conftest.py: the browser and channel tests use them too.
