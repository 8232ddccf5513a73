// SPDX-License-Identifier: MIT
#include "services/content/contenthttp.h"

#include "backend/core/sha256.h"
#include "backend/db/idempotency.h"
#include "backend/http/pagination.h"
#include "backend/http/problem.h"
#include "backend/http/requestbody.h"
#include "backend/http/router.h"
#include "services/content/contentservice.h"
#include "services/user/userhttp.h"

#include <QDateTime>
#include <QHash>

namespace colophon {

namespace {

constexpr int kMaxIdempotencyKey = 200;

// An item's ETag is its version.
std::string etagOf(int version)
{
    return makeEtag(std::to_string(version));
}

// An item's JSON with its ETag.
HttpResponse itemAnswer(int status, std::string json, int version)
{
    HttpResponse res = HttpResponse::text(status, std::move(json), "application/json");
    res.setHeader("ETag", etagOf(version));
    return res;
}

HttpResponse itemResponse(const Result<ContentItem> &item, int status = 200)
{
    return item ? itemAnswer(status, item->toJsonText(), item->version)
                : problemResponse(item.error());
}

HttpResponse itemResponse(Result<RenderedItem> item)
{
    return item ? itemAnswer(200, std::move(item->json), item->version)
                : problemResponse(item.error());
}

// Rendered listings, per thread, by viewer and request target, valid while
// the content's state token stays the same. Many readers asking for the same
// page (the front page of a site) then cost a lookup, not a query and a render.
struct RenderedPage
{
    QString state;
    std::string body;
};
thread_local QHash<QString, RenderedPage> t_pages;
constexpr int kMaxRenderedPages = 256;

template <typename Render>
HttpResponse cachedPage(ContentService &content, const QString &viewer, const HttpRequest &req,
                        Render &&render)
{
    auto state = content.listingState();
    if (!state) {
        return render(); // no cache without a state; the answer is still right
    }
    const QString key = viewer + u' ' + QString::fromStdString(req.target);
    if (const auto hit = t_pages.constFind(key); hit != t_pages.cend() && hit->state == *state) {
        HttpResponse res;
        res.status = 200;
        res.body = hit->body;
        res.setHeader("Content-Type", "application/json");
        return res;
    }
    HttpResponse res = render();
    if (res.status == 200) {
        if (t_pages.size() >= kMaxRenderedPages) {
            t_pages.clear();
        }
        t_pages.insert(key, {*state, res.body});
    }
    return res;
}

HttpResponse pageResponse(const HttpRequest &req, const PageRequest &page,
                          const Result<ContentPage> &result)
{
    if (!result) {
        return problemResponse(result.error());
    }
    // {"_links", "items", "pagination"}, the items spliced in as text.
    const bool withBody = req.query("include").value_or(std::string()) == "body";
    std::string body = "{\"_links\":" + pageLinks(req, page, result->total).dump() + ",\"items\":[";
    for (std::size_t i = 0; i < result->items.size(); ++i) {
        body += i == 0 ? "" : ",";
        body += result->items[i].toJsonText(withBody);
    }
    body += "],\"pagination\":" + paginationJson(page, result->total).dump() + '}';
    return HttpResponse::text(200, std::move(body), "application/json");
}

Result<qint64> timeValue(const nlohmann::json &j, const char *key)
{
    const QString field = QLatin1String(key);
    const nlohmann::json value = j.contains(key) ? j.at(key) : nlohmann::json();
    if (value.is_null()) {
        return qint64(0);
    }
    if (value.is_string()) {
        const QDateTime t =
            QDateTime::fromString(QString::fromStdString(value.get<std::string>()), Qt::ISODate);
        if (t.isValid()) {
            return t.toMSecsSinceEpoch();
        }
    }
    return fail(Error::invalid(
        QStringLiteral("%1 must be an ISO 8601 date and time, or null").arg(field), field));
}

Result<QStringList> stringArray(const nlohmann::json &j, const char *key)
{
    const QString field = QLatin1String(key);
    if (!j.contains(key) || !j.at(key).is_array()) {
        return fail(
            Error::invalid(QStringLiteral("%1 must be an array of strings").arg(field), field));
    }
    QStringList out;
    for (const auto &v : j.at(key)) {
        if (!v.is_string()) {
            return fail(
                Error::invalid(QStringLiteral("%1 must be an array of strings").arg(field), field));
        }
        out << QString::fromStdString(v.get<std::string>());
    }
    return out;
}

Result<ContentType> typeValue(const nlohmann::json &j)
{
    auto name = stringField(j, "type");
    auto type = name ? parseContentType(*name) : std::nullopt;
    if (!type) {
        return fail(
            Error::invalid(QStringLiteral("type must be article, video, gallery or podcast"),
                           QStringLiteral("type")));
    }
    return *type;
}

// The editable fields present in body, into change. Every field is optional here.
std::optional<HttpResponse> readChange(const nlohmann::json &body, ContentChange &change)
{
    const auto text = [&](const char *key, std::optional<QString> &target) -> std::optional<Error> {
        if (!body.contains(key)) {
            return std::nullopt;
        }
        auto v = stringField(body, key);
        if (!v) {
            return v.error();
        }
        target = *v;
        return std::nullopt;
    };
    const auto strings = [&](const char *key,
                             std::optional<QStringList> &target) -> std::optional<Error> {
        if (!body.contains(key)) {
            return std::nullopt;
        }
        auto v = stringArray(body, key);
        if (!v) {
            return v.error();
        }
        target = *v;
        return std::nullopt;
    };
    const auto time = [&](const char *key, std::optional<qint64> &target) -> std::optional<Error> {
        if (!body.contains(key)) {
            return std::nullopt;
        }
        auto v = timeValue(body, key);
        if (!v) {
            return v.error();
        }
        target = *v;
        return std::nullopt;
    };
    for (auto error : {text("title", change.title), text("slug", change.slug),
                       text("description", change.description), text("body", change.body),
                       strings("tags", change.tags), strings("categories", change.categories),
                       strings("mediaIds", change.mediaIds), time("publishAt", change.publishAtMs),
                       time("unpublishAt", change.unpublishAtMs)}) {
        if (error) {
            return problemResponse(*error);
        }
    }
    if (body.contains("type")) {
        auto type = typeValue(body);
        if (!type) {
            return problemResponse(type.error());
        }
        change.type = *type;
    }
    if (body.contains("metadata")) {
        change.metadata = body["metadata"];
    }
    if (body.contains("status")) {
        auto name = stringField(body, "status");
        auto status = name ? parseContentStatus(*name) : std::nullopt;
        if (!status) {
            return problemResponse(Error::invalid(
                QStringLiteral("status must be draft, review, published or archived"),
                QStringLiteral("status")));
        }
        change.status = *status;
    }
    if (body.contains("comment")) {
        auto comment = stringField(body, "comment");
        if (!comment) {
            return problemResponse(comment.error());
        }
        change.comment = *comment;
    }
    if (body.contains("baseBodyHash")) {
        auto hash = stringField(body, "baseBodyHash");
        if (!hash) {
            return problemResponse(hash.error());
        }
        change.baseBodyHash = *hash;
    }
    return std::nullopt;
}

Result<ContentQuery> queryOf(const HttpRequest &req, PageRequest &page)
{
    auto parsed = parsePageRequest(req);
    if (!parsed) {
        return fail(parsed.error());
    }
    page = *parsed;
    ContentQuery q;
    q.limit = page.limit;
    q.offset = page.offset();
    if (auto status = req.query("status")) {
        auto s = parseContentStatus(QString::fromStdString(*status));
        if (!s) {
            return fail(Error::invalid(
                QStringLiteral("status must be draft, review, published or archived"),
                QStringLiteral("status")));
        }
        q.status = s;
    }
    if (auto type = req.query("type")) {
        auto t = parseContentType(QString::fromStdString(*type));
        if (!t) {
            return fail(
                Error::invalid(QStringLiteral("type must be article, video, gallery or podcast"),
                               QStringLiteral("type")));
        }
        q.type = t;
    }
    q.categoryId = QString::fromStdString(req.query("category").value_or(std::string()));
    if (auto tag = req.query("tag")) {
        auto t = normaliseTag(QString::fromStdString(*tag));
        if (!t) {
            return fail(Error::invalid(QStringLiteral("tag is not a tag"), QStringLiteral("tag")));
        }
        q.tag = *t;
    }
    q.authorId = QString::fromStdString(req.query("authorId").value_or(std::string()));
    if (auto include = req.query("include")) {
        if (*include != "body") {
            return fail(Error::invalid(QStringLiteral("include may only name body"),
                                       QStringLiteral("include")));
        }
        q.withBody = true;
    }
    q.text = QString::fromStdString(req.query("q").value_or(std::string())).trimmed();
    if (q.text.size() > 200) {
        return fail(
            Error::invalid(QStringLiteral("q is longer than 200 characters"), QStringLiteral("q")));
    }
    if (auto since = req.query("updatedSince")) {
        const QDateTime t = QDateTime::fromString(QString::fromStdString(*since), Qt::ISODate);
        if (!t.isValid()) {
            return fail(Error::invalid(QStringLiteral("updatedSince must be an ISO 8601 time"),
                                       QStringLiteral("updatedSince")));
        }
        q.updatedSinceMs = t.toMSecsSinceEpoch();
    }
    QString sort = QString::fromStdString(req.query("sort").value_or("-updatedAt"));
    if (sort.isEmpty() || sort == QLatin1String("-")) {
        return fail(Error::invalid(QStringLiteral("sort names a field, optionally after -"),
                                   QStringLiteral("sort")));
    }
    q.descending = sort.startsWith(u'-');
    if (q.descending) {
        sort.remove(0, 1);
    }
    q.sortField = sort;
    return q;
}

std::optional<int> intQuery(const HttpRequest &req, const char *key)
{
    bool ok = false;
    const int v = QString::fromStdString(req.query(key).value_or(std::string())).toInt(&ok);
    return ok ? std::optional<int>(v) : std::nullopt;
}

// The version number in the path; 0 (no such version) when it does not fit.
int versionOf(const HttpRequest &req)
{
    bool ok = false;
    const int n = QString::fromStdString(req.param("n")).toInt(&ok);
    return ok ? n : 0;
}

QString idOf(const HttpRequest &req)
{
    return QString::fromStdString(req.param("id"));
}

// The version an If-Match names, checked against the item's current one:
// nullopt (no header), the version, or the answer to send (412).
Result<std::optional<int>> expectedVersion(ContentService &content, const Actor &actor,
                                           const HttpRequest &req)
{
    if (req.header("If-Match").empty()) {
        return std::optional<int>();
    }
    auto current = content.get(actor, idOf(req));
    if (!current) {
        return fail(current.error());
    }
    if (auto matches = checkIfMatch(req, etagOf(current->version)); !matches) {
        return fail(matches.error());
    }
    return std::optional<int>(current->version);
}

// POST /api/v1/content, with Idempotency-Key.
HttpResponse createItem(ContentService &content, IdempotencyStore &idempotency, const Actor &actor,
                        HttpRequest &req)
{
    nlohmann::json body;
    if (auto refused = readObject(req,
                                  {"title", "slug", "description", "body", "type", "metadata",
                                   "tags", "categories", "mediaIds", "publishAt", "unpublishAt"},
                                  body)) {
        return *refused;
    }
    auto title = stringField(body, "title");
    if (!title) {
        return problemResponse(title.error());
    }
    ContentChange fields;
    if (auto refused = readChange(body, fields)) {
        return *refused;
    }
    ContentDraft draft = fields.toDraft();
    draft.title = *title;

    const QString key = QString::fromStdString(std::string(req.header("Idempotency-Key")));
    if (key.isEmpty()) {
        auto created = content.create(actor, draft);
        HttpResponse res = itemResponse(created, 201);
        if (created) {
            res.setHeader("Location", "/api/v1/content/" + created->id.toStdString());
        }
        return res;
    }
    if (key.size() > kMaxIdempotencyKey) {
        return problemResponse(Error::invalid(
            QStringLiteral("Idempotency-Key is longer than %1 characters").arg(kMaxIdempotencyKey),
            QStringLiteral("Idempotency-Key")));
    }
    const QString scope = QStringLiteral("POST /api/v1/content ") + actor.userId;
    const QString hash = sha256Hex(QByteArray::fromStdString(body.dump()));
    auto held = idempotency.reserve(scope, key, hash, QDateTime::currentMSecsSinceEpoch());
    if (!held) {
        return problemResponse(held.error());
    }
    if (held->has_value()) {
        const StoredAnswer &a = **held;
        if (a.requestHash != hash) {
            return problemResponse(Error::invalid(
                QStringLiteral("this Idempotency-Key was used with a different request"),
                QStringLiteral("Idempotency-Key")));
        }
        if (a.pending) {
            return problemResponse(Error::conflict(
                QStringLiteral("a request with this Idempotency-Key is still being processed")));
        }
        HttpResponse replay;
        replay.status = a.status;
        replay.body = a.body;
        replay.setHeader("Content-Type", "application/json");
        replay.setHeader("Location", a.location);
        replay.setHeader("ETag", a.etag);
        replay.setHeader("Idempotent-Replayed", "true");
        return replay;
    }
    auto created = content.create(actor, draft);
    if (!created) {
        (void)idempotency.release(scope, key);
        return problemResponse(created.error());
    }
    HttpResponse res = itemResponse(created, 201);
    const std::string location = "/api/v1/content/" + created->id.toStdString();
    res.setHeader("Location", location);
    (void)idempotency.finish(scope, key,
                             {hash, false, 201, res.body, location, etagOf(created->version)});
    return res;
}

HttpResponse categoryResponse(const Result<Category> &category, int status = 200)
{
    return category ? HttpResponse::json(status, category->toJson())
                    : problemResponse(category.error());
}

// name, description, slug, parentId from body; absent ones stay unset.
std::optional<HttpResponse> readCategoryFields(const nlohmann::json &body, CategoryChange &out)
{
    for (auto [key, target] :
         {std::pair{"name", &out.name}, std::pair{"description", &out.description},
          std::pair{"slug", &out.slug}}) {
        if (body.contains(key)) {
            auto v = stringField(body, key);
            if (!v) {
                return problemResponse(v.error());
            }
            *target = *v;
        }
    }
    if (body.contains("parentId")) {
        if (body["parentId"].is_null()) {
            out.parentId = QString();
        } else {
            auto v = stringField(body, "parentId");
            if (!v) {
                return problemResponse(v.error());
            }
            out.parentId = *v;
        }
    }
    return std::nullopt;
}

void registerTaxonomyRoutes(Router &router, ContentService &content, UserService &users)
{
    router.add(HttpMethod::Get, "/api/v1/categories", [&](HttpRequest &req) {
        return withActor(users, req, [&](const Actor &actor) {
            auto all = content.categories(actor);
            if (!all) {
                return problemResponse(all.error());
            }
            nlohmann::json items = nlohmann::json::array();
            for (const Category &c : *all) {
                items.push_back(c.toJson());
            }
            return HttpResponse::json(200, {{"items", std::move(items)}});
        });
    });

    router.add(HttpMethod::Post, "/api/v1/categories", [&](HttpRequest &req) {
        return withActor(users, req, [&](const Actor &actor) {
            nlohmann::json body;
            if (auto refused = readObject(req, {"name", "description", "slug", "parentId"}, body)) {
                return *refused;
            }
            if (auto name = stringField(body, "name"); !name) {
                return problemResponse(name.error());
            }
            CategoryChange fields;
            if (auto refused = readCategoryFields(body, fields)) {
                return *refused;
            }
            auto created = content.createCategory(
                actor, {fields.name.value_or(QString()), fields.description.value_or(QString()),
                        fields.parentId.value_or(QString()), fields.slug});
            HttpResponse res = categoryResponse(created, 201);
            if (created) {
                res.setHeader("Location", "/api/v1/categories/" + created->id.toStdString());
            }
            return res;
        });
    });

    router.add(HttpMethod::Get, "/api/v1/categories/{id:uuid}", [&](HttpRequest &req) {
        return withActor(users, req, [&](const Actor &actor) {
            return categoryResponse(content.category(actor, idOf(req)));
        });
    });

    router.add(HttpMethod::Patch, "/api/v1/categories/{id:uuid}", [&](HttpRequest &req) {
        return withActor(users, req, [&](const Actor &actor) {
            nlohmann::json body;
            if (auto refused = readObject(req, {"name", "description", "slug", "parentId"}, body)) {
                return *refused;
            }
            CategoryChange change;
            if (auto refused = readCategoryFields(body, change)) {
                return *refused;
            }
            return categoryResponse(content.updateCategory(actor, idOf(req), change));
        });
    });

    router.add(HttpMethod::Delete, "/api/v1/categories/{id:uuid}", [&](HttpRequest &req) {
        return withActor(users, req, [&](const Actor &actor) {
            auto done = content.deleteCategory(
                actor, idOf(req),
                QString::fromStdString(req.query("reassignTo").value_or(std::string())));
            return done ? HttpResponse::empty(204) : problemResponse(done.error());
        });
    });

    router.add(HttpMethod::Get, "/api/v1/tags", [&](HttpRequest &req) {
        return withActor(users, req, [&](const Actor &actor) {
            auto all =
                content.tags(actor, QString::fromStdString(req.query("q").value_or(std::string())));
            if (!all) {
                return problemResponse(all.error());
            }
            nlohmann::json items = nlohmann::json::array();
            for (const TagCount &t : *all) {
                items.push_back({{"tag", t.tag.toStdString()}, {"count", t.count}});
            }
            return HttpResponse::json(200, {{"items", std::move(items)}});
        });
    });

    router.add(HttpMethod::Post, "/api/v1/tags/rename", [&](HttpRequest &req) {
        return withActor(users, req, [&](const Actor &actor) {
            QString from;
            QString to;
            if (auto refused = readStringBody(req, {{"from", &from}, {"to", &to}})) {
                return *refused;
            }
            auto changed = content.renameTag(actor, from, to);
            return changed ? HttpResponse::json(200, {{"itemsChanged", *changed}})
                           : problemResponse(changed.error());
        });
    });

    router.add(HttpMethod::Post, "/api/v1/tags/merge", [&](HttpRequest &req) {
        return withActor(users, req, [&](const Actor &actor) {
            nlohmann::json body;
            if (auto refused = readObject(req, {"from", "to"}, body)) {
                return *refused;
            }
            auto from = stringArray(body, "from");
            if (!from) {
                return problemResponse(from.error());
            }
            auto to = stringField(body, "to");
            if (!to) {
                return problemResponse(to.error());
            }
            auto changed = content.mergeTags(actor, *from, *to);
            return changed ? HttpResponse::json(200, {{"itemsChanged", *changed}})
                           : problemResponse(changed.error());
        });
    });

    router.add(HttpMethod::Get, "/api/v1/content/{id:uuid}/relations", [&](HttpRequest &req) {
        return withActor(users, req, [&](const Actor &actor) {
            auto all = content.relations(actor, idOf(req));
            if (!all) {
                return problemResponse(all.error());
            }
            nlohmann::json items = nlohmann::json::array();
            for (const Relation &r : *all) {
                items.push_back(r.toJson());
            }
            return HttpResponse::json(200, {{"items", std::move(items)}});
        });
    });

    router.add(HttpMethod::Put, "/api/v1/content/{id:uuid}/relations/{kind}/{to:uuid}",
               [&](HttpRequest &req) {
                   return withActor(users, req, [&](const Actor &actor) {
                       int position = 0;
                       if (!req.body.empty()) {
                           nlohmann::json body;
                           if (auto refused = readObject(req, {"position"}, body)) {
                               return *refused;
                           }
                           if (body.contains("position")) {
                               const nlohmann::json &p = body["position"];
                               if (!p.is_number_integer() || p.get<qint64>() < 0 ||
                                   p.get<qint64>() > 1'000'000) {
                                   return problemResponse(
                                       Error::invalid(QStringLiteral("position must be an integer "
                                                                     "from 0 to 1000000"),
                                                      QStringLiteral("position")));
                               }
                               position = static_cast<int>(p.get<qint64>());
                           }
                       }
                       auto done =
                           content.link(actor, idOf(req), QString::fromStdString(req.param("kind")),
                                        QString::fromStdString(req.param("to")), position);
                       return done ? HttpResponse::empty(204) : problemResponse(done.error());
                   });
               });

    router.add(HttpMethod::Delete, "/api/v1/content/{id:uuid}/relations/{kind}/{to:uuid}",
               [&](HttpRequest &req) {
                   return withActor(users, req, [&](const Actor &actor) {
                       auto done = content.unlink(actor, idOf(req),
                                                  QString::fromStdString(req.param("kind")),
                                                  QString::fromStdString(req.param("to")));
                       return done ? HttpResponse::empty(204) : problemResponse(done.error());
                   });
               });
}

} // namespace

void registerContentRoutes(Router &router, ContentService &content, UserService &users,
                           IdempotencyStore &idempotency)
{
    router.add(HttpMethod::Get, "/api/v1/content", [&](HttpRequest &req) {
        return withActor(users, req, [&](const Actor &actor) {
            // What a listing shows depends on who asks: the user and their role.
            const QString viewer = actor.userId + u':' + roleName(actor.role);
            return cachedPage(content, viewer, req, [&] {
                PageRequest page;
                auto query = queryOf(req, page);
                if (!query) {
                    return problemResponse(query.error());
                }
                return pageResponse(req, page, content.list(actor, *query));
            });
        });
    });

    router.add(HttpMethod::Post, "/api/v1/content", RouteClass::Write, [&](HttpRequest &req) {
        return withActor(users, req, [&](const Actor &actor) {
            return createItem(content, idempotency, actor, req);
        });
    });

    router.add(HttpMethod::Get, "/api/v1/content/{id:uuid}", [&](HttpRequest &req) {
        return withActor(users, req, [&](const Actor &actor) {
            return itemResponse(content.getRendered(actor, idOf(req)));
        });
    });

    // PUT replaces the editable fields: absent ones take their empty values
    // (the slug, type and schedule stay when absent). Status moves through PATCH.
    router.add(
        HttpMethod::Put, "/api/v1/content/{id:uuid}", RouteClass::Write, [&](HttpRequest &req) {
            return withActor(users, req, [&](const Actor &actor) {
                nlohmann::json body;
                if (auto refused = readObject(req,
                                              {"title", "slug", "description", "body", "type",
                                               "metadata", "tags", "categories", "mediaIds",
                                               "publishAt", "unpublishAt", "baseBodyHash"},
                                              body)) {
                    return *refused;
                }
                if (auto title = stringField(body, "title"); !title) {
                    return problemResponse(title.error());
                }
                ContentChange change;
                if (auto refused = readChange(body, change)) {
                    return *refused;
                }
                change.description = change.description.value_or(QString());
                change.body = change.body.value_or(QString());
                change.metadata = change.metadata.value_or(nlohmann::json::object());
                change.tags = change.tags.value_or(QStringList());
                change.categories = change.categories.value_or(QStringList());
                change.mediaIds = change.mediaIds.value_or(QStringList());
                auto expected = expectedVersion(content, actor, req);
                if (!expected) {
                    return problemResponse(expected.error());
                }
                change.expectedVersion = *expected;
                return itemResponse(content.update(actor, idOf(req), change));
            });
        });

    router.add(
        HttpMethod::Patch, "/api/v1/content/{id:uuid}", RouteClass::Write, [&](HttpRequest &req) {
            return withActor(users, req, [&](const Actor &actor) {
                nlohmann::json body;
                if (auto refused =
                        readObject(req,
                                   {"title", "slug", "description", "body", "type", "metadata",
                                    "tags", "categories", "mediaIds", "publishAt", "unpublishAt",
                                    "status", "comment", "baseBodyHash"},
                                   body)) {
                    return *refused;
                }
                ContentChange change;
                if (auto refused = readChange(body, change)) {
                    return *refused;
                }
                auto expected = expectedVersion(content, actor, req);
                if (!expected) {
                    return problemResponse(expected.error());
                }
                change.expectedVersion = *expected;
                return itemResponse(content.update(actor, idOf(req), change));
            });
        });

    router.add(HttpMethod::Delete, "/api/v1/content/{id:uuid}", RouteClass::Write,
               [&](HttpRequest &req) {
                   return withActor(users, req, [&](const Actor &actor) {
                       auto expected = expectedVersion(content, actor, req);
                       if (!expected) {
                           return problemResponse(expected.error());
                       }
                       auto done = content.remove(actor, idOf(req), *expected);
                       return done ? HttpResponse::empty(204) : problemResponse(done.error());
                   });
               });

    router.add(HttpMethod::Get, "/api/v1/content/{id:uuid}/versions", [&](HttpRequest &req) {
        return withActor(users, req, [&](const Actor &actor) {
            auto versions = content.versions(actor, idOf(req));
            if (!versions) {
                return problemResponse(versions.error());
            }
            nlohmann::json items = nlohmann::json::array();
            for (const ContentVersion &v : *versions) {
                items.push_back(v.toJson());
            }
            return HttpResponse::json(200, {{"items", std::move(items)}});
        });
    });

    router.add(HttpMethod::Get, "/api/v1/content/{id:uuid}/versions/diff", [&](HttpRequest &req) {
        return withActor(users, req, [&](const Actor &actor) {
            const auto from = intQuery(req, "from");
            const auto to = intQuery(req, "to");
            if (!from || !to) {
                return problemResponse(
                    Error::invalid(QStringLiteral("from and to must be version numbers"),
                                   from ? QStringLiteral("to") : QStringLiteral("from")));
            }
            auto diff = content.diff(actor, idOf(req), *from, *to);
            return diff ? HttpResponse::json(200, {{"from", *from}, {"to", *to}, {"fields", *diff}})
                        : problemResponse(diff.error());
        });
    });

    router.add(HttpMethod::Get, "/api/v1/content/{id:uuid}/versions/{n:int}",
               [&](HttpRequest &req) {
                   return withActor(users, req, [&](const Actor &actor) {
                       const int n = versionOf(req);
                       auto state = content.versionState(actor, idOf(req), n);
                       return state ? HttpResponse::json(200, {{"number", n}, {"fields", *state}})
                                    : problemResponse(state.error());
                   });
               });

    router.add(HttpMethod::Post, "/api/v1/content/{id:uuid}/versions/{n:int}/restore",
               RouteClass::Write, [&](HttpRequest &req) {
                   return withActor(users, req, [&](const Actor &actor) {
                       auto expected = expectedVersion(content, actor, req);
                       if (!expected) {
                           return problemResponse(expected.error());
                       }
                       return itemResponse(
                           content.restore(actor, idOf(req), versionOf(req), *expected));
                   });
               });

    router.add(HttpMethod::Get, "/api/v1/public/content", [&](HttpRequest &req) {
        HttpResponse res = cachedPage(content, QStringLiteral("public"), req, [&] {
            PageRequest page;
            auto query = queryOf(req, page);
            if (!query) {
                return problemResponse(query.error());
            }
            query->authorId.clear();
            return pageResponse(req, page, content.listPublished(*query));
        });
        if (res.status == 200) {
            res.setHeader("Cache-Control", "public, max-age=30");
        }
        return res;
    });

    router.add(HttpMethod::Get, "/api/v1/public/content/{id:uuid}", [&](HttpRequest &req) {
        HttpResponse res = itemResponse(content.getPublishedRendered(idOf(req)));
        if (res.status == 200) {
            res.setHeader("Cache-Control", "public, max-age=30");
        }
        return res;
    });

    registerTaxonomyRoutes(router, content, users);
}

} // namespace colophon
