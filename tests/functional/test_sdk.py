"""An unmodified openstacksdk, password auth against the built-in identity: the boot flow."""
import openstack


def connect(cloud, username, password, project):
    return openstack.connect(
        auth_url=f'{cloud.url}/identity/v3', username=username, password=password,
        project_name=project, user_domain_name='Default', project_domain_name='Default',
        region_name='RegionOne', load_yaml_config=False, load_envvars=False)


def test_sdk_create_list_show_delete(cloud, image_id):
    conn = connect(cloud, 'demo', 'demopw', 'demo')
    flavor = conn.compute.find_flavor('m1.nano')
    image = conn.image.find_image('stratus-tiny')
    assert image.id == image_id
    server = conn.compute.create_server(name='sdk-vm', flavor_id=flavor.id, image_id=image.id,
                                        networks='none')
    server = conn.compute.wait_for_server(server, status='ACTIVE', interval=0.2, wait=60)
    assert server.status == 'ACTIVE'
    assert server.id in [s.id for s in conn.compute.servers()]
    shown = conn.compute.get_server(server.id)
    assert shown.name == 'sdk-vm' and shown.flavor['original_name'] == 'm1.nano'
    conn.compute.delete_server(server)
    conn.compute.wait_for_delete(server, interval=0.2, wait=60)
    assert server.id not in [s.id for s in conn.compute.servers()]
