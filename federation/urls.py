from django.urls import path

from federation import discovery_views, inbox_views, network_views

app_name = "federation"
urlpatterns: list = []

# Discovery and reading: WebFinger, host-meta, NodeInfo, actors, outboxes, followers,
# activities. The chapter, meeting and story pages answer ActivityStreams JSON themselves.
urlpatterns += [
    path(".well-known/webfinger", discovery_views.webfinger, name="webfinger"),
    path(".well-known/host-meta", discovery_views.host_meta, name="host_meta"),
    path(".well-known/nodeinfo", discovery_views.nodeinfo_links, name="nodeinfo_links"),
    path("nodeinfo/2.1", discovery_views.nodeinfo, name="nodeinfo"),
    path("actor", discovery_views.instance_actor, name="instance_actor"),
    path("actor/outbox", discovery_views.instance_outbox, name="instance_outbox"),
    path("chapters/<slug:slug>/outbox", discovery_views.outbox, name="outbox"),
    path("chapters/<slug:slug>/followers", discovery_views.followers, name="followers"),
    path("activities/<uuid:activity_uuid>", discovery_views.activity_detail, name="activity"),
]

# Inboxes and the network: receiving activities, following remote chapters, and the
# pages that show what they publish.
urlpatterns += [
    path("inbox", inbox_views.shared_inbox, name="shared_inbox"),
    path("actor/inbox", inbox_views.instance_inbox, name="instance_inbox"),
    path("chapters/<slug:slug>/inbox", inbox_views.chapter_inbox, name="chapter_inbox"),
    path("network/", network_views.instance_network, name="instance_network"),
    path("chapters/<slug:slug>/network/", network_views.chapter_network, name="chapter_network"),
    path("chapters/<slug:slug>/network/follow/", network_views.follow, name="follow"),
    path(
        "chapters/<slug:slug>/network/unfollow/<id:pk>/",
        network_views.unfollow,
        name="unfollow",
    ),
]
