"""Write tempest.conf and accounts.yaml from what a running Stratus deployment really has."""
import argparse
import sys

import requests

from conf import new_conf

# Pre-provisioned accounts: one member per project first, so tempest's "alt" (the first
# free non-admin account) lands in another project than "primary"; then a reader and a
# manager in each project for the project_reader / project_manager personas.
PROJECTS = 6
PASSWORD = 'tempest-pw'


def accounts():
    """(name, project, roles) of every account tempest may use."""
    rows = [(f'tempest-member-{i}', f'tempest-{i}', ['member', 'reader'])
            for i in range(1, PROJECTS + 1)]
    rows += [(f'tempest-reader-{i}', f'tempest-{i}', ['reader'])
             for i in range(1, PROJECTS + 1)]
    rows += [(f'tempest-manager-{i}', f'tempest-{i}', ['manager', 'member', 'reader'])
             for i in range(1, PROJECTS + 1)]
    rows += [(f'tempest-admin-{i}', 'admin', ['admin', 'member', 'reader'])
             for i in range(1, 3)]
    return rows


def extra_users():
    """The devstack EXTRA_USERS value that creates those accounts."""
    return ','.join(f'{name}:{PASSWORD}:{project}:{"+".join(roles)}'
                    for name, project, roles in accounts())


def accounts_yaml():
    lines = []
    for name, project, roles in accounts():
        lines += [f'- username: {name}', f'  project_name: {project}',
                  f'  password: {PASSWORD}', f'  roles: [{", ".join(roles)}]']
        if 'admin' in roles:
            lines.append('  types: [admin]')
    return '\n'.join(lines) + '\n'


class Cloud:
    """Just enough of the deployment's API to learn its images, flavors and versions."""

    def __init__(self, endpoint, user, password, project):
        self.endpoint = endpoint.rstrip('/')
        body = {'auth': {'identity': {'methods': ['password'], 'password': {'user': {
            'name': user, 'password': password, 'domain': {'id': 'default'}}}},
            'scope': {'project': {'name': project, 'domain': {'id': 'default'}}}}}
        resp = requests.post(f'{self.endpoint}/identity/v3/auth/tokens', json=body, timeout=30)
        resp.raise_for_status()
        self.token = resp.headers['X-Subject-Token']
        self.catalog = resp.json()['token']['catalog']

    def get(self, path):
        resp = requests.get(f'{self.endpoint}{path}', timeout=30,
                            headers={'X-Auth-Token': self.token})
        resp.raise_for_status()
        return resp.json()

    def region(self):
        return self.catalog[0]['endpoints'][0]['region']


def _pick(cloud, image_name):
    images = [i for i in cloud.get('/image/v2/images')['images'] if i['status'] == 'active']
    image = next((i for i in images if i['name'] == image_name), None)
    alt = next((i for i in images if i['name'] == image_name + '-alt'), image)
    if image is None:
        sys.exit(f'write_config: no active image named {image_name}')
    flavors = sorted(cloud.get('/compute/v2.1/flavors/detail')['flavors'],
                     key=lambda f: (f['ram'], f['vcpus']))
    if len(flavors) < 2:
        sys.exit('write_config: tempest needs two flavors')
    return image, alt, flavors[0], flavors[1]


def _filters(path):
    """The scheduler filters the deployment runs (so tempest sends only hints it has)."""
    conf = new_conf(default_config_files=[path], register_messaging=False)
    return conf.filter_scheduler.enabled_filters


def tempest_conf(args, cloud):
    image, image_alt, flavor, flavor_alt = _pick(cloud, args.image)
    version = cloud.get('/compute/v2.1/')['version']
    virt_qemu = args.virt == 'qemu'
    return TEMPLATE.format(
        log_file=args.log_file, accounts=args.accounts, lock_path=args.lock_path,
        admin_password=args.admin_password,
        uri=f'{cloud.endpoint}/identity/v3', region=cloud.region(),
        image=image['id'], image_alt=image_alt['id'], flavor=flavor['id'],
        flavor_alt=flavor_alt['id'],
        min_version=version['min_version'], max_version=version['version'],
        compute_nodes=args.compute_hosts,
        filters=','.join(_filters(args.stratus_conf)),
        vnc=str(virt_qemu), live_migration=str(virt_qemu),
        virt_note=('VIRT=qemu: real guests behind the VNC proxy, live migration works'
                   if virt_qemu else
                   "VIRT=test: libvirt's test driver runs no guest, so there is no console "
                   'output and no VNC server, and it cannot live-migrate (the API answers '
                   '409); VIRT=qemu runs these tests'))


TEMPLATE = """\
# Written by tools/tempest/write_config.py from the running deployment; every
# switch below says why it is set as it is.
[DEFAULT]
log_file = {log_file}
debug = true

[oslo_concurrency]
lock_path = {lock_path}

[auth]
# Pre-provisioned accounts (devstack EXTRA_USERS): Stratus's identity API is a
# read-only subset that cannot create projects or users on the fly.
use_dynamic_credentials = false
test_accounts_file = {accounts}
default_credentials_domain_name = Default
create_isolated_networks = false
# The deployment's own admin, for the few tests that ask for "configured" admin
# credentials besides the pre-provisioned ones.
admin_username = admin
admin_password = {admin_password}
admin_project_name = admin
admin_domain_name = Default

[identity]
uri_v3 = {uri}
auth_version = v3
region = {region}
v3_endpoint_type = public

[identity-feature-enabled]
api_v2 = false

[compute]
region = {region}
endpoint_type = publicURL
image_ref = {image}
# <image>-alt when the deployment has one (run-tempest.sh imports it for VIRT=test).
image_ref_alt = {image_alt}
flavor_ref = {flavor}
flavor_ref_alt = {flavor_alt}
min_compute_nodes = {compute_nodes}
min_microversion = {min_version}
max_microversion = {max_version}
build_timeout = 120

# Left unset: certified_image_ref (no image signature verification: no key
# manager) and fixed_network_name (no networks yet).

[compute-feature-enabled]
# Hostnames are not sanitised into FQDNs (the server view shows the name-derived one).
hostname_fqdn_sanitization = false
# Resize and cold migration move the disk host to host (no shared storage).
resize = true
cold_migration = true
shelve_migrate = false
# {virt_note}
vnc_console = {vnc}
live_migration = {live_migration}
block_migration_for_live_migration = {live_migration}
# No networking yet: no ports to attach, no metadata service, no config drive.
interface_attach = false
metadata_service = false
config_drive = false
# changePassword goes through a guest agent that the test driver's guests lack.
change_password = false
# No block storage service (Cinder).
attach_encrypted_volume = false
swap_volume = false
volume_multiattach = false
stable_rescue = false
# {virt_note}
console_output = {vnc}
pause = true
suspend = true
shelve = true
snapshot = true
rescue = true
personality = false
serial_console = false
spice_console = false
# The deployment's [filter_scheduler] enabled_filters: the hints tempest may send.
scheduler_enabled_filters = {filters}
nova_policy_roles = admin,manager,member,reader

[image]
region = {region}
endpoint_type = publicURL

[image-feature-enabled]
# The image API is a v2 subset: no import workflow, tasks or metadata definitions.
import_image = false

[network]
# Left unset: public_network_id (no networks or floating IPs yet: issues 12 and 13).

[network-feature-enabled]
ipv6 = false

[service_available]
# Compute and image run here. neutron = true as in the deployments tempest is written
# for: the tests that need networks then fail (listed, each naming the networking
# issue) instead of hiding as skips; no block storage, object storage or orchestration.
nova = true
glance = true
neutron = true
cinder = false
swift = false
heat = false
horizon = false

[validation]
# Guests are not reachable over SSH (test driver, no networking).
run_validation = false
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest='command', required=True)
    sub.add_parser('extra-users', help='print the devstack EXTRA_USERS value')
    conf = sub.add_parser('config', help='write tempest.conf and accounts.yaml')
    conf.add_argument('--endpoint', required=True, help='http://HOST:PORT of stratus-api')
    conf.add_argument('--admin-password', required=True)
    conf.add_argument('--image', default='stratus-tiny')
    conf.add_argument('--virt', default='test', choices=('test', 'qemu'))
    conf.add_argument('--compute-hosts', type=int, default=2)
    conf.add_argument('--stratus-conf', required=True, help="the controller's stratus.conf")
    conf.add_argument('--conf', required=True)
    conf.add_argument('--accounts', required=True)
    conf.add_argument('--log-file', required=True)
    conf.add_argument('--lock-path', required=True)
    args = parser.parse_args()
    if args.command == 'extra-users':
        print(extra_users())
        return
    cloud = Cloud(args.endpoint, 'admin', args.admin_password, 'admin')
    with open(args.accounts, 'w', encoding='utf-8') as f:
        f.write(accounts_yaml())
    with open(args.conf, 'w', encoding='utf-8') as f:
        f.write(tempest_conf(args, cloud))


if __name__ == '__main__':
    main()
