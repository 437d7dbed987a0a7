"""stratus-manage: operator commands (db sync, image import, flavors, services, migrations)."""
import argparse
import os
import sys

from common import exception
from db import engine
from db import flavors
from db import migration
from db import services
from launch import daemon

EXIT_EXISTS = 2


def _parser():
    p = argparse.ArgumentParser(prog='stratus-manage', description=__doc__)
    p.add_argument('--config-file', action='append', default=[])
    sub = p.add_subparsers(dest='group', required=True)
    dbp = sub.add_parser('db', help='schema').add_subparsers(dest='cmd', required=True)
    dbp.add_parser('sync', help='upgrade the schema to the newest version')
    dbp.add_parser('version', help='print the schema version')
    img = sub.add_parser('image', help='images').add_subparsers(dest='cmd', required=True)
    imp = img.add_parser('import', help='import a disk image file into the image store')
    imp.add_argument('file')
    imp.add_argument('--name')
    imp.add_argument('--disk-format', default='qcow2')
    imp.add_argument('--container-format', default='bare')
    imp.add_argument('--public', action='store_true')
    img.add_parser('list', help='one line per image: ID NAME STATUS')
    tiny = img.add_parser('build-tiny', help='build the tiny test guest from Debian packages '
                          'and import it (kernel, initrd and a bootable disk image)')
    tiny.add_argument('--name', default='stratus-tiny')
    tiny.add_argument('--output-dir', help='where the built files go (default '
                      '<state_path>/tiny)')
    tiny.add_argument('--cache-dir', help='where the kernel package is kept between builds '
                      '(default <state_path>/cache)')
    tiny.add_argument('--no-import', action='store_true', help='only build the files')
    fl = sub.add_parser('flavor', help='flavors').add_subparsers(dest='cmd', required=True)
    fc = fl.add_parser('create', help='create a flavor')
    fc.add_argument('name')
    fc.add_argument('--id', required=True)
    fc.add_argument('--ram', type=int, required=True)
    fc.add_argument('--vcpus', type=int, required=True)
    fc.add_argument('--disk', type=int, default=0)
    fc.add_argument('--private', action='store_true')
    sv = sub.add_parser('service', help='services').add_subparsers(dest='cmd', required=True)
    sv.add_parser('list', help='one line per service')
    mg = sub.add_parser('migration', help='moves of servers between hosts').add_subparsers(
        dest='cmd', required=True)
    ml = mg.add_parser('list', help='the moves under way (every one with --all), one line '
                                    'each: UUID TYPE STATUS SERVER SOURCE -> DEST')
    ml.add_argument('--host', help='only moves from or to this host')
    ml.add_argument('--all', action='store_true', help='ended moves too')
    return p


def main(argv=None):
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    conf = daemon.load_conf(sum((['--config-file', f] for f in args.config_file), []),
                            __doc__)
    # With an all-in-one config (no [database] connection) manage its SQLite database.
    daemon.embedded_database(conf)
    try:
        db = engine.Database.from_conf(conf)
        return _COMMANDS[(args.group, args.cmd)](conf, db, args)
    except exception.FlavorExists as exc:
        print(f'stratus-manage: {exc}', file=sys.stderr)
        return EXIT_EXISTS
    except exception.StratusError as exc:
        print(f'stratus-manage: {exc}', file=sys.stderr)
        return 1


def _db_sync(conf, db, args):
    migration.sync(db)
    print(f'database at revision {migration.current(db)}')
    return 0


def _db_version(conf, db, args):
    print(migration.current(db) or 'empty')
    return 0


def _image_import(conf, db, args):
    from image import importer
    from image import store
    image = importer.import_file(
        db, store.LocalStore.from_conf(conf), args.file, args.name or args.file.rsplit('/')[-1],
        disk_format=args.disk_format, container_format=args.container_format,
        visibility='public' if args.public else 'shared')
    print(f'{image["id"]} {image["name"]} {image["status"]}')
    return 0


def _image_list(conf, db, args):
    from db import images
    for image in images.list_(db, {}):
        print(f'{image["id"]} {image["name"]} {image["status"]}')
    return 0


def _image_build_tiny(conf, db, args):
    from image import store
    from image import tiny
    out = args.output_dir or os.path.join(conf.state_path, 'tiny')
    try:
        if not args.no_import and tiny.registered(db, args.name):
            raise tiny.ImageExists(args.name)
        guest = tiny.build(out, args.cache_dir or os.path.join(conf.state_path, 'cache'))
        print(f'built {guest.kernel} {guest.initrd} {guest.disk}')
        if args.no_import:
            return 0
        image = tiny.register(db, store.LocalStore.from_conf(conf), guest, args.name)
    except tiny.BuildError as exc:
        print(f'stratus-manage: cannot build the tiny guest: {exc}', file=sys.stderr)
        return 1
    except tiny.ImageExists:
        print(f'stratus-manage: an image named {args.name} already exists', file=sys.stderr)
        return EXIT_EXISTS
    print(f'{image["id"]} {image["name"]} {image["status"]}')
    return 0


def _flavor_create(conf, db, args):
    flavor = flavors.create(db, {'flavorid': args.id, 'name': args.name,
                                 'memory_mb': args.ram, 'vcpus': args.vcpus,
                                 'root_gb': args.disk, 'is_public': not args.private})
    print(f'{flavor["flavorid"]} {flavor["name"]}')
    return 0


def _service_list(conf, db, args):
    for service in services.list_(db):
        state = 'up' if services.is_up(service, conf.service_down_time) else 'down'
        print(f'{service["id"]} {service["binary"]} {service["host"]} {state}')
    return 0


def _migration_list(conf, db, args):
    from db import instance_migrations
    status = None if args.all else sorted(set(instance_migrations.IN_PROGRESS) |
                                          set(instance_migrations.RESIZE_OPEN))
    for m in instance_migrations.list_(db, status=status, host=args.host):
        print(f'{m["uuid"]} {m["migration_type"]} {m["status"]} {m["instance_uuid"]} '
              f'{m["source_compute"]} -> {m["dest_compute"] or "?"}')
    return 0


_COMMANDS = {('db', 'sync'): _db_sync, ('db', 'version'): _db_version,
             ('image', 'import'): _image_import, ('image', 'list'): _image_list,
             ('image', 'build-tiny'): _image_build_tiny,
             ('flavor', 'create'): _flavor_create, ('service', 'list'): _service_list,
             ('migration', 'list'): _migration_list}


if __name__ == '__main__':
    sys.exit(main())
