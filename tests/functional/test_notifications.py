"""Versioned notifications: instance.create.start/.end and instance.delete.start/.end."""


def test_create_and_delete_notifications(demo, image_id, collector):
    server_id = demo.create_server('notify-vm', image_id).json()['server']['id']
    demo.wait_status(server_id, {'ACTIVE'})
    collector.wait_for(server_id, 'instance.create.end')
    demo.delete(f'/compute/v2.1/servers/{server_id}')
    collector.wait_for(server_id, 'instance.delete.end')
    kinds = [e[0] for e in collector.events[server_id]]
    assert kinds == ['instance.create.start', 'instance.create.end',
                     'instance.delete.start', 'instance.delete.end']
    publishers = {e[1] for e in collector.events[server_id]}
    assert all(p.startswith('compute:compute-') for p in publishers)
    # Every hop carries the request id of the API request that caused it.
    create_ids = {e[2] for e in collector.events[server_id][:2]}
    assert len(create_ids) == 1 and create_ids.pop().startswith('req-')
