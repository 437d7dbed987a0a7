"""Compute endpoints for operators' questions: the host's uptime, a guest's diagnostics."""


class DiagnosticsEndpoint:
    """Calls from the API (1.4): answered by the driver, nothing is recorded."""

    def __init__(self, driver):
        self.driver = driver

    def get_host_uptime(self, ctxt):
        return self.driver.get_host_uptime()

    def get_instance_diagnostics(self, ctxt, instance):
        return self.driver.get_instance_diagnostics(instance)
