"""Import rules: virt drivers stay away from db/rpc and from each other; the store from db."""
import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
VIRT = ROOT / 'compute' / 'virt'
FORBIDDEN = ('db', 'rpc', 'sqlalchemy', 'oslo_messaging')


def _imports(path):
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update('%s.%s' % (node.module, alias.name) for alias in node.names)
    return names


def _hits(names, prefixes):
    return sorted(n for n in names for p in prefixes if n == p or n.startswith(p + '.'))


@pytest.mark.parametrize('path', sorted(VIRT.rglob('*.py')), ids=lambda p: str(p.relative_to(ROOT)))
def test_virt_never_imports_db_or_rpc(path):
    assert _hits(_imports(path), FORBIDDEN) == []


def test_libvirt_driver_does_not_import_fake():
    for path in (VIRT / 'libvirt').rglob('*.py'):
        assert _hits(_imports(path), ['compute.virt.fake']) == [], path


def test_fake_does_not_import_libvirt():
    names = _imports(VIRT / 'fake.py')
    assert _hits(names, ['compute.virt.libvirt', 'libvirt']) == []


def test_image_store_does_not_import_db():
    assert _hits(_imports(ROOT / 'image' / 'store.py'), ['db', 'sqlalchemy']) == []
