# The specs run under opsuite's pytest plugin; a spec repository of your own opts in the same way.
pytest_plugins = ["suite.plugin"]
