"""Users, projects and roles from [identity] users; ids derived from names so workers agree."""
import dataclasses
import hmac
import uuid

_NAMESPACE = uuid.UUID('5c1f0a53-7f3e-4c55-9d0e-3f1f3a1d2b11')


def stable_id(kind, name):
    """A stable 32-hex id for a user or project name (Keystone ids are 32 hex)."""
    return uuid.uuid5(_NAMESPACE, f'{kind}:{name}').hex


@dataclasses.dataclass(frozen=True)
class User:
    name: str
    password: str
    project: str
    roles: tuple

    @property
    def id(self):
        return stable_id('user', self.name)

    @property
    def project_id(self):
        return stable_id('project', self.project)


class IdentityStore:
    def __init__(self, entries):
        self._users = {}
        for entry in entries:
            name, password, project, roles = entry.split(':', 3)
            self._users[name] = User(name, password, project, tuple(roles.split('+')))

    @classmethod
    def from_conf(cls, conf):
        return cls(conf.identity.users)

    def authenticate(self, name=None, password=None, user_id=None):
        """The user whose name (or id) and password match, else None."""
        user = self._users.get(name) if name else self.by_id(user_id)
        if user and hmac.compare_digest(user.password.encode(), (password or '').encode()):
            return user
        return None

    def by_id(self, user_id):
        return next((u for u in self._users.values() if u.id == user_id), None)

    def projects(self):
        return sorted({u.project for u in self._users.values()})

    def project_by_name_or_id(self, value):
        for name in self.projects():
            if value in (name, stable_id('project', name)):
                return {'id': stable_id('project', name), 'name': name}
        return None
