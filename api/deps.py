"""The gateway's collaborators, built once and handed to every handler."""
import dataclasses


@dataclasses.dataclass
class Deps:
    conf: object
    db: object
    conductor_api: object = None
    compute_api: object = None
    consoleauth_api: object = None
    image_store: object = None
    identity: object = None
    services_down_time: int = 60

    def endpoint(self, req, prefix=''):
        """The public base URL (config wins over the Host header) plus ``prefix``."""
        base = self.conf.api.public_endpoint or req.host_url
        return base.rstrip('/') + prefix
