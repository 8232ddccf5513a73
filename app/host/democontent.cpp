// SPDX-License-Identifier: MIT
#include "app/host/democontent.h"

#include "services/content/contentservice.h"

namespace colophon {

namespace {

struct DemoItem
{
    const char *title;
    const char *description;
    const char *body;
    ContentType type;
    ContentStatus status;
    QStringList tags;
    int category; // index into the categories made, or -1
};

} // namespace

Result<int> seedDemoContent(ContentService &content, const Actor &author)
{
    ContentQuery any;
    any.limit = 1;
    auto existing = content.list(author, any);
    if (!existing) {
        return fail(existing.error());
    }
    if (existing->total > 0) {
        return 0;
    }
    QStringList categories;
    for (const char *name : {"Guides", "News", "Essays"}) {
        auto made = content.createCategory(author, {QLatin1String(name), {}, {}, std::nullopt});
        if (!made) {
            return fail(made.error());
        }
        categories << made->id;
    }
    const DemoItem items[] = {
        {"Welcome to Colophon",
         "What this replica holds and how to find your way.",
         "# Welcome\n\nColophon keeps your content on your own machine and syncs it when you "
         "are online.\n\n- Write in **Markdown**.\n- Submit for review; an editor publishes.\n",
         ContentType::Article,
         ContentStatus::Published,
         {"welcome", "getting started"},
         0},
        {"Writing offline",
         "Authoring without a network, and what happens when you reconnect.",
         "## Offline first\n\nEvery change is an event in the local log. When the server is "
         "reachable again, the events travel and the replicas converge.\n",
         ContentType::Article,
         ContentStatus::Published,
         {"offline", "sync"},
         0},
        {"Release notes 0.1",
         "The first release: users, content and the API.",
         "## What is new\n\n1. Accounts with MFA\n2. Content with versions and workflow\n3. A "
         "REST API with OpenAPI\n",
         ContentType::Article,
         ContentStatus::Published,
         {"release"},
         1},
        {"On small tools",
         "An essay waiting for an editor.",
         "Small tools, well made, outlast large ones.\n",
         ContentType::Article,
         ContentStatus::Review,
         {"craft"},
         2},
        {"Podcast: episode one",
         "Show notes for the first episode.",
         "Topics: local-first software, Markdown, and editors.\n",
         ContentType::Podcast,
         ContentStatus::Draft,
         {"podcast"},
         -1},
    };
    int made = 0;
    for (const DemoItem &d : items) {
        ContentDraft draft;
        draft.title = QLatin1String(d.title);
        draft.description = QLatin1String(d.description);
        draft.body = QString::fromUtf8(d.body);
        draft.type = d.type;
        draft.tags = d.tags;
        if (d.category >= 0) {
            draft.categories = {categories.at(d.category)};
        }
        auto item = content.create(author, draft);
        if (!item) {
            return fail(item.error());
        }
        QList<ContentStatus> path;
        if (d.status == ContentStatus::Review) {
            path = {ContentStatus::Review};
        } else if (d.status == ContentStatus::Published) {
            path = {ContentStatus::Review, ContentStatus::Published};
        }
        for (ContentStatus next : path) {
            ContentChange move;
            move.status = next;
            if (auto moved = content.update(author, item->id, move); !moved) {
                return fail(moved.error());
            }
        }
        ++made;
    }
    return made;
}

} // namespace colophon
