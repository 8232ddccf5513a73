// SPDX-License-Identifier: MIT
#include "app/ctl/ctlcontent.h"

#include "app/ctl/ctlcommon.h"
#include "app/ctl/frontmatter.h"
#include "app/host/servicehost.h"
#include "backend/db/database.h"
#include "backend/db/sqlquery.h"
#include "services/content/contentservice.h"
#include "services/user/userservice.h"
#include "sync/syncengine.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QSet>
#include <QStringDecoder>
#include <vector>

namespace colophon::ctl {

namespace {

constexpr int kImportBatch = 1000; // records per importItems call: each batch is all or nothing
constexpr int kExportPage = 500;
constexpr int kMaxListLimit = 100; // as the API's

struct Subcommand
{
    QString name;
    QStringList arguments; // positional, by their names in messages
    QStringList options;   // besides the common ones
};

const QStringList &fieldOptions()
{
    static const QStringList options{
        QStringLiteral("title"),      QStringLiteral("slug"),        QStringLiteral("description"),
        QStringLiteral("body-file"),  QStringLiteral("type"),        QStringLiteral("tag"),
        QStringLiteral("category"),   QStringLiteral("media"),       QStringLiteral("metadata"),
        QStringLiteral("publish-at"), QStringLiteral("unpublish-at")};
    return options;
}

// Options that may be given more than once.
const QStringList &repeatableOptions()
{
    static const QStringList options{QStringLiteral("tag"), QStringLiteral("category"),
                                     QStringLiteral("media")};
    return options;
}

const std::vector<Subcommand> &subcommands()
{
    static const std::vector<Subcommand> all{
        {QStringLiteral("list"),
         {},
         {QStringLiteral("status"), QStringLiteral("type"), QStringLiteral("tag"),
          QStringLiteral("category"), QStringLiteral("author"), QStringLiteral("q"),
          QStringLiteral("sort"), QStringLiteral("limit"), QStringLiteral("page")}},
        {QStringLiteral("get"), {QStringLiteral("ID")}, {}},
        {QStringLiteral("create"), {}, fieldOptions()},
        {QStringLiteral("update"), {QStringLiteral("ID")}, fieldOptions()},
        {QStringLiteral("set-status"),
         {QStringLiteral("ID"), QStringLiteral("STATUS")},
         {QStringLiteral("comment")}},
        {QStringLiteral("delete"), {QStringLiteral("ID")}, {}},
        {QStringLiteral("export"), {}, {QStringLiteral("format"), QStringLiteral("out")}},
        {QStringLiteral("import"), {QStringLiteral("FILE|DIR")}, {QStringLiteral("format")}},
    };
    return all;
}

const Subcommand *findSubcommand(const QString &name)
{
    for (const Subcommand &s : subcommands()) {
        if (s.name == name) {
            return &s;
        }
    }
    return nullptr;
}

QString subcommandNames()
{
    QStringList names;
    for (const Subcommand &s : subcommands()) {
        names << s.name;
    }
    return names.join(QLatin1String(", "));
}

// The list's and the import's single value of a repeatable option; "" lists as an empty set.
QStringList listValue(const QCommandLineParser &parser, const char *name)
{
    QStringList values = parser.values(QLatin1String(name));
    if (values == QStringList{QString()}) {
        return {};
    }
    return values;
}

Result<qint64> timeOption(const QString &text, const QString &field)
{
    if (text.isEmpty()) {
        return qint64(0);
    }
    const QDateTime t = QDateTime::fromString(text, Qt::ISODate);
    if (!t.isValid()) {
        return fail(Error::invalid(
            QStringLiteral("%1 must be an ISO 8601 date and time, such as 2030-01-31T09:00:00Z")
                .arg(field),
            field));
    }
    return t.toMSecsSinceEpoch();
}

// UTF-8 text, strictly: a file or, for "-", standard input.
Result<QString> readText(const QString &path, const QString &field)
{
    QFile in;
    if (path == QLatin1String("-")) {
        if (!in.open(stdin, QIODevice::ReadOnly)) {
            return fail(Error::invalid(QStringLiteral("cannot read standard input"), field));
        }
    } else {
        in.setFileName(path);
        if (!in.open(QIODevice::ReadOnly)) {
            return fail(Error::invalid(
                QStringLiteral("cannot read %1: %2").arg(path, in.errorString()), field));
        }
    }
    const QByteArray bytes = in.readAll();
    QStringDecoder decoder(QStringDecoder::Utf8);
    QString text = decoder(bytes);
    if (decoder.hasError()) {
        return fail(Error::invalid(
            QStringLiteral("%1 is not UTF-8 text")
                .arg(path == QLatin1String("-") ? QStringLiteral("standard input") : path),
            field));
    }
    return text;
}

// The field options given, for a new item or a change.
struct FieldValues
{
    std::optional<QString> title;
    std::optional<QString> slug;
    std::optional<QString> description;
    std::optional<QString> body;
    std::optional<ContentType> type;
    std::optional<nlohmann::json> metadata;
    std::optional<QStringList> tags;
    std::optional<QStringList> categories;
    std::optional<QStringList> mediaIds;
    std::optional<qint64> publishAtMs;
    std::optional<qint64> unpublishAtMs;
};

Result<FieldValues> readFieldOptions(const QCommandLineParser &parser)
{
    FieldValues v;
    const auto text = [&](const char *name, std::optional<QString> &target) {
        if (parser.isSet(QLatin1String(name))) {
            target = parser.value(QLatin1String(name));
        }
    };
    text("title", v.title);
    text("slug", v.slug);
    text("description", v.description);
    if (parser.isSet(QStringLiteral("body-file"))) {
        auto body = readText(parser.value(QStringLiteral("body-file")), QStringLiteral("body"));
        if (!body) {
            return fail(body.error());
        }
        v.body = *body;
    }
    if (parser.isSet(QStringLiteral("type"))) {
        v.type = parseContentType(parser.value(QStringLiteral("type"))); // checked before
    }
    if (parser.isSet(QStringLiteral("metadata"))) {
        const nlohmann::json metadata = nlohmann::json::parse(
            parser.value(QStringLiteral("metadata")).toStdString(), nullptr, false);
        if (metadata.is_discarded()) {
            return fail(Error::invalid(QStringLiteral("--metadata is not valid JSON"),
                                       QStringLiteral("metadata")));
        }
        v.metadata = metadata;
    }
    for (const auto &[name, target] :
         {std::pair{"tag", &v.tags}, std::pair{"category", &v.categories},
          std::pair{"media", &v.mediaIds}}) {
        if (parser.isSet(QLatin1String(name))) {
            *target = listValue(parser, name);
        }
    }
    for (const auto &[name, field, target] :
         {std::tuple{"publish-at", "publishAt", &v.publishAtMs},
          std::tuple{"unpublish-at", "unpublishAt", &v.unpublishAtMs}}) {
        if (parser.isSet(QLatin1String(name))) {
            auto t = timeOption(parser.value(QLatin1String(name)), QLatin1String(field));
            if (!t) {
                return fail(t.error());
            }
            *target = *t;
        }
    }
    return v;
}

// Fields an exported record carries that an import does not set: the
// replica makes them (ids, authorship, times, versions; items start as drafts).
const QSet<QString> &readOnlyFields()
{
    static const QSet<QString> fields{
        QStringLiteral("id"),        QStringLiteral("status"),      QStringLiteral("authorId"),
        QStringLiteral("createdBy"), QStringLiteral("publishedAt"), QStringLiteral("createdAt"),
        QStringLiteral("updatedAt"), QStringLiteral("version"),     QStringLiteral("bodyHash")};
    return fields;
}

// One imported record (a JSON Lines object, or a Markdown file's front
// matter with its body) as a draft. Errors name the field.
Result<ContentDraft> draftFromRecord(const nlohmann::json &record,
                                     const std::optional<QString> &markdownBody)
{
    if (!record.is_object()) {
        return fail(Error::invalid(QStringLiteral("a record must be a JSON object")));
    }
    ContentDraft draft;
    bool hasTitle = false;
    for (auto it = record.begin(); it != record.end(); ++it) {
        const QString key = QString::fromStdString(it.key());
        const nlohmann::json &value = it.value();
        const auto string = [&]() -> Result<QString> {
            if (value.is_null()) {
                return QString();
            }
            if (!value.is_string()) {
                return fail(Error::invalid(QStringLiteral("%1 must be a string").arg(key), key));
            }
            return QString::fromStdString(value.get<std::string>());
        };
        const auto strings = [&]() -> Result<QStringList> {
            QStringList out;
            if (value.is_null()) {
                return out;
            }
            if (!value.is_array()) {
                return fail(
                    Error::invalid(QStringLiteral("%1 must be a list of strings").arg(key), key));
            }
            for (const auto &v : value) {
                if (!v.is_string()) {
                    return fail(Error::invalid(
                        QStringLiteral("%1 must be a list of strings").arg(key), key));
                }
                out << QString::fromStdString(v.get<std::string>());
            }
            return out;
        };
        if (key == QLatin1String("title")) {
            if (!value.is_string()) {
                return fail(Error::invalid(QStringLiteral("title must be a string"), key));
            }
            draft.title = QString::fromStdString(value.get<std::string>());
            hasTitle = true;
        } else if (key == QLatin1String("slug") || key == QLatin1String("description") ||
                   key == QLatin1String("type") || key == QLatin1String("publishAt") ||
                   key == QLatin1String("unpublishAt") || key == QLatin1String("body")) {
            auto s = string();
            if (!s) {
                return fail(s.error());
            }
            if (key == QLatin1String("slug")) {
                if (!value.is_null()) {
                    draft.slug = *s;
                }
            } else if (key == QLatin1String("description")) {
                draft.description = *s;
            } else if (key == QLatin1String("body")) {
                if (markdownBody) {
                    return fail(Error::invalid(
                        QStringLiteral("the body is the Markdown after the front matter"), key));
                }
                draft.body = *s;
            } else if (key == QLatin1String("type")) {
                auto type = parseContentType(*s);
                if (!type) {
                    return fail(Error::invalid(
                        QStringLiteral("type must be article, video, gallery or podcast"), key));
                }
                draft.type = *type;
            } else {
                auto t = timeOption(*s, key);
                if (!t) {
                    return fail(t.error());
                }
                (key == QLatin1String("publishAt") ? draft.publishAtMs : draft.unpublishAtMs) = *t;
            }
        } else if (key == QLatin1String("tags") || key == QLatin1String("categories") ||
                   key == QLatin1String("mediaIds")) {
            auto list = strings();
            if (!list) {
                return fail(list.error());
            }
            (key == QLatin1String("tags")         ? draft.tags
             : key == QLatin1String("categories") ? draft.categories
                                                  : draft.mediaIds) = *list;
        } else if (key == QLatin1String("metadata")) {
            if (!value.is_null()) {
                draft.metadata = value; // the service checks it is an object
            }
        } else if (!readOnlyFields().contains(key)) {
            return fail(
                Error::invalid(QStringLiteral("unknown field (import takes title, slug, "
                                              "description, body, type, tags, categories, "
                                              "mediaIds, metadata, publishAt, unpublishAt)"),
                               key));
        }
    }
    if (!hasTitle) {
        return fail(Error::invalid(QStringLiteral("title is required"), QStringLiteral("title")));
    }
    if (markdownBody) {
        draft.body = *markdownBody;
    }
    return draft;
}

struct ImportRecord
{
    QString where; // "line 12" or "post.md"
    ContentDraft draft;
};

// JSON Lines: one draft per non-blank line. Refusals go to errors.
Result<std::vector<ImportRecord>> readJsonLines(const QString &path, QStringList &errors)
{
    QFile in;
    if (path == QLatin1String("-")) {
        in.open(stdin, QIODevice::ReadOnly);
    } else {
        in.setFileName(path);
        if (!in.open(QIODevice::ReadOnly)) {
            return fail(
                Error::invalid(QStringLiteral("cannot read %1: %2").arg(path, in.errorString())));
        }
    }
    const QByteArray bytes = in.readAll();
    std::vector<ImportRecord> records;
    qsizetype start = 0;
    for (int lineNo = 1; start < bytes.size(); ++lineNo) {
        qsizetype end = bytes.indexOf('\n', start);
        if (end < 0) {
            end = bytes.size();
        }
        const QByteArray line = bytes.mid(start, end - start).trimmed();
        start = end + 1;
        if (line.isEmpty()) {
            continue;
        }
        const QString where = QStringLiteral("line %1").arg(lineNo);
        const nlohmann::json record = nlohmann::json::parse(line.toStdString(), nullptr, false);
        if (record.is_discarded()) {
            errors << where + QStringLiteral(": not valid JSON (UTF-8, one object per line)");
            continue;
        }
        auto draft = draftFromRecord(record, std::nullopt);
        if (!draft) {
            errors << where + QStringLiteral(": ") + describe(draft.error());
            continue;
        }
        records.push_back({where, std::move(*draft)});
    }
    return records;
}

// Markdown: a folder's *.md files in name order, or one file.
Result<std::vector<ImportRecord>> readMarkdown(const QString &path, QStringList &errors)
{
    const QFileInfo info(path);
    if (!info.exists()) {
        return fail(Error::invalid(QStringLiteral("%1 does not exist").arg(path)));
    }
    const QFileInfoList files =
        info.isDir() ? QDir(path).entryInfoList({QStringLiteral("*.md")}, QDir::Files, QDir::Name)
                     : QFileInfoList{info};
    std::vector<ImportRecord> records;
    for (const QFileInfo &file : files) {
        const QString where = file.fileName();
        auto text = readText(file.filePath(), QString());
        if (!text) {
            errors << where + QStringLiteral(": ") + text.error().message;
            continue;
        }
        auto doc = parseMarkdownDocument(*text);
        if (!doc) {
            errors << where + QStringLiteral(": ") + describe(doc.error());
            continue;
        }
        auto draft = draftFromRecord(doc->fields, doc->body);
        if (!draft) {
            errors << where + QStringLiteral(": ") + describe(draft.error());
            continue;
        }
        records.push_back({where, std::move(*draft)});
    }
    return records;
}

QString formatOf(const QCommandLineParser &parser, const QString &fallback)
{
    return parser.isSet(QStringLiteral("format")) ? parser.value(QStringLiteral("format"))
                                                  : fallback;
}

QString recordsText(qsizetype n)
{
    return n == 1 ? QStringLiteral("1 record") : QStringLiteral("%1 records").arg(n);
}

class ContentCommands
{
public:
    ContentCommands(ServiceHost &host, const QCommandLineParser &parser, Actor actor)
        : m_host(host), m_content(*host.content()), m_parser(parser), m_actor(std::move(actor))
    {
    }

    int list();
    int get(const QString &id);
    int create();
    int update(const QString &id);
    int setStatus(const QString &id, const QString &status);
    int remove(const QString &id);
    int exportItems();
    int importItems(const QString &path);

private:
    QString option(const char *name) const { return m_parser.value(QLatin1String(name)); }
    bool isSet(const char *name) const { return m_parser.isSet(QLatin1String(name)); }
    int printItem(const Result<ContentItem> &item);
    Result<QString> authorId(const QString &author);
    // Every item the actor may see, least recently changed first, a page at a time.
    Result<void> forEachItem(const std::function<Result<void>(const ContentItem &)> &visit);
    int exportMarkdown(const QString &dir);

    ServiceHost &m_host;
    ContentService &m_content;
    const QCommandLineParser &m_parser;
    Actor m_actor;
};

int ContentCommands::printItem(const Result<ContentItem> &item)
{
    if (!item) {
        return failWith(item.error());
    }
    printJson(item->toJson());
    return 0;
}

Result<QString> ContentCommands::authorId(const QString &author)
{
    if (!author.contains(u'@')) {
        return author;
    }
    // The system reads the replica's accounts, as `user create` writes them.
    UserQuery query;
    query.text = author.trimmed();
    query.limit = 100;
    auto page = m_host.users()->listUsers(Actor::system(), query);
    if (!page) {
        return fail(page.error());
    }
    for (const User &u : page->items) {
        if (u.email.compare(author.trimmed(), Qt::CaseInsensitive) == 0) {
            return u.id;
        }
    }
    return fail(Error::invalid(QStringLiteral("no account %1 in this replica").arg(author),
                               QStringLiteral("author")));
}

int ContentCommands::list()
{
    ContentQuery query;
    query.withBody = true; // scripts read whole items
    if (isSet("status")) {
        query.status = parseContentStatus(option("status"));
    }
    if (isSet("type")) {
        query.type = parseContentType(option("type"));
    }
    if (isSet("tag")) {
        auto tag = normaliseTag(option("tag"));
        if (!tag) {
            return failWith(Error::invalid(tag.error().message, QStringLiteral("tag")));
        }
        query.tag = *tag;
    }
    query.categoryId = option("category");
    if (isSet("author")) {
        auto id = authorId(option("author"));
        if (!id) {
            return failWith(id.error());
        }
        query.authorId = *id;
    }
    query.text = option("q").trimmed();
    QString sort = isSet("sort") ? option("sort") : QStringLiteral("-updatedAt");
    query.descending = sort.startsWith(u'-');
    if (query.descending) {
        sort.remove(0, 1);
    }
    query.sortField = sort;
    const int limit = isSet("limit") ? option("limit").toInt() : 20;
    const int page = isSet("page") ? option("page").toInt() : 1;
    query.limit = limit;
    query.offset = qint64(page - 1) * limit;
    auto result = m_content.list(m_actor, query);
    if (!result) {
        return failWith(result.error());
    }
    for (const ContentItem &item : result->items) {
        printJson(item.toJson());
    }
    return 0;
}

int ContentCommands::get(const QString &id)
{
    return printItem(m_content.get(m_actor, id));
}

int ContentCommands::create()
{
    auto fields = readFieldOptions(m_parser);
    if (!fields) {
        return failWith(fields.error());
    }
    ContentDraft draft;
    draft.title = fields->title.value_or(QString());
    draft.slug = fields->slug;
    draft.description = fields->description.value_or(QString());
    draft.body = fields->body.value_or(QString());
    draft.type = fields->type.value_or(ContentType::Article);
    draft.metadata = fields->metadata.value_or(nlohmann::json::object());
    draft.tags = fields->tags.value_or(QStringList());
    draft.categories = fields->categories.value_or(QStringList());
    draft.mediaIds = fields->mediaIds.value_or(QStringList());
    draft.publishAtMs = fields->publishAtMs.value_or(0);
    draft.unpublishAtMs = fields->unpublishAtMs.value_or(0);
    return printItem(m_content.create(m_actor, draft));
}

int ContentCommands::update(const QString &id)
{
    auto fields = readFieldOptions(m_parser);
    if (!fields) {
        return failWith(fields.error());
    }
    ContentChange change;
    change.title = fields->title;
    change.slug = fields->slug;
    change.description = fields->description;
    change.body = fields->body;
    change.type = fields->type;
    change.metadata = fields->metadata;
    change.tags = fields->tags;
    change.categories = fields->categories;
    change.mediaIds = fields->mediaIds;
    change.publishAtMs = fields->publishAtMs;
    change.unpublishAtMs = fields->unpublishAtMs;
    return printItem(m_content.update(m_actor, id, change));
}

int ContentCommands::setStatus(const QString &id, const QString &status)
{
    ContentChange change;
    change.status = parseContentStatus(status); // checked before
    change.comment = option("comment");
    return printItem(m_content.update(m_actor, id, change));
}

int ContentCommands::remove(const QString &id)
{
    if (auto removed = m_content.remove(m_actor, id); !removed) {
        return failWith(removed.error());
    }
    printJson({{"deleted", id.toStdString()}});
    return 0;
}

// A read transaction on this thread's connection, the one the content
// service reads through here: every page of an export sees the same state of
// the replica, while writers (a server on the same folder) carry on (WAL).
class ReadSnapshot final
{
public:
    explicit ReadSnapshot(Database &db) : m_connection(db.connection())
    {
        m_open = execSql(m_connection, QStringLiteral("BEGIN")).has_value();
    }
    ~ReadSnapshot()
    {
        if (m_open) {
            execSql(m_connection, QStringLiteral("COMMIT"));
        }
    }
    ReadSnapshot(const ReadSnapshot &) = delete;
    ReadSnapshot &operator=(const ReadSnapshot &) = delete;

private:
    QSqlDatabase m_connection;
    bool m_open = false;
};

Result<void>
ContentCommands::forEachItem(const std::function<Result<void>(const ContentItem &)> &visit)
{
    // Pages in the order of an index (updatedAt, id): a page then costs a
    // walk of the index, where createdAt (no index) sorts every item again.
    // The snapshot keeps the order still while the pages are read.
    const ReadSnapshot snapshot(m_host.database());
    ContentQuery query;
    query.withBody = true;
    query.sortField = QStringLiteral("updatedAt");
    query.descending = false;
    query.limit = kExportPage;
    for (qint64 offset = 0;; offset += kExportPage) {
        query.offset = offset;
        auto page = m_content.list(m_actor, query);
        if (!page) {
            return fail(page.error());
        }
        for (const ContentItem &item : page->items) {
            if (auto ok = visit(item); !ok) {
                return ok;
            }
        }
        if (static_cast<qint64>(page->items.size()) < kExportPage) {
            return {};
        }
    }
}

int ContentCommands::exportItems()
{
    if (formatOf(m_parser, QStringLiteral("jsonl")) == QLatin1String("markdown")) {
        return exportMarkdown(option("out"));
    }
    auto done = forEachItem([](const ContentItem &item) -> Result<void> {
        printJson(item.toJson());
        return {};
    });
    return done ? 0 : failWith(done.error());
}

int ContentCommands::exportMarkdown(const QString &dirPath)
{
    const QDir dir(dirPath);
    if (!QDir().mkpath(dir.absolutePath())) {
        return failWith(QStringLiteral("cannot create the folder %1").arg(dir.absolutePath()));
    }
    QSet<QString> names;
    int written = 0;
    auto done = forEachItem([&](const ContentItem &item) -> Result<void> {
        // Slugs are unique per type: a second item with the same slug gets its type in the name.
        QString name = item.slug + QStringLiteral(".md");
        if (names.contains(name)) {
            name = item.slug + u'-' + contentTypeName(item.type) + QStringLiteral(".md");
        }
        for (int n = 2; names.contains(name); ++n) {
            name = QStringLiteral("%1-%2-%3.md").arg(item.slug, contentTypeName(item.type)).arg(n);
        }
        names.insert(name);
        const nlohmann::json j = item.toJson();
        std::vector<std::pair<QString, nlohmann::json>> fields;
        for (const char *key : {"id", "title", "slug", "type", "status", "description", "tags",
                                "categories", "mediaIds", "metadata", "authorId", "publishedAt",
                                "publishAt", "unpublishAt", "createdAt", "updatedAt", "version"}) {
            fields.emplace_back(QLatin1String(key), j[key]);
        }
        QSaveFile out(dir.filePath(name));
        if (!out.open(QIODevice::WriteOnly) ||
            out.write(writeMarkdownDocument(fields, item.body).toUtf8()) < 0 || !out.commit()) {
            return fail(Error::unavailable(
                QStringLiteral("cannot write %1: %2").arg(out.fileName(), out.errorString())));
        }
        ++written;
        return {};
    });
    if (!done) {
        return failWith(done.error());
    }
    printJson(
        {{"exported", written}, {"format", "markdown"}, {"out", dir.absolutePath().toStdString()}});
    return 0;
}

int ContentCommands::importItems(const QString &path)
{
    const bool isDir = QFileInfo(path).isDir();
    const bool markdown =
        formatOf(m_parser, isDir ? QStringLiteral("markdown") : QStringLiteral("jsonl")) ==
        QLatin1String("markdown");
    if (isDir && !markdown) {
        return failWith(QStringLiteral("%1 is a folder: JSON Lines come from a file").arg(path));
    }
    QStringList errors;
    auto records = markdown ? readMarkdown(path, errors) : readJsonLines(path, errors);
    if (!records) {
        return failWith(records.error());
    }
    if (!errors.isEmpty()) {
        for (const QString &e : errors) {
            printError(e);
        }
        printError(
            QStringLiteral("%1 rejected; nothing was imported").arg(recordsText(errors.size())));
        return kFailure;
    }
    int imported = 0;
    for (std::size_t start = 0; start < records->size(); start += kImportBatch) {
        const std::size_t end = std::min(records->size(), start + kImportBatch);
        std::vector<ContentDraft> batch;
        batch.reserve(end - start);
        for (std::size_t i = start; i < end; ++i) {
            batch.push_back((*records)[i].draft);
        }
        auto report = m_content.importItems(m_actor, batch);
        const QString rest =
            imported == 0
                ? QStringLiteral("nothing was imported")
                : QStringLiteral("the %1 items before %2 were imported, nothing from there on")
                      .arg(imported)
                      .arg((*records)[start].where);
        if (!report) {
            printError(describe(report.error()));
            printError(rest);
            return kFailure;
        }
        if (!report->rejected.empty()) {
            for (const auto &[position, error] : report->rejected) {
                const std::size_t index = start + std::size_t(position) - 1;
                const QString where = index < records->size()
                                          ? (*records)[index].where
                                          : QStringLiteral("record %1").arg(position);
                printError(where + QStringLiteral(": ") + describe(error));
            }
            printError(QStringLiteral("%1 rejected; %2")
                           .arg(recordsText(qsizetype(report->rejected.size())), rest));
            return kFailure;
        }
        imported += report->imported;
    }
    printJson({{"imported", imported}});
    return 0;
}

} // namespace

void addContentOptions(QCommandLineParser &parser)
{
    for (const auto &[name, description, value] :
         {std::tuple{"as", "Act as this user of the replica (content commands).", "EMAIL"},
          std::tuple{"title", "Title (content create, update).", "TEXT"},
          std::tuple{"slug", "Slug; made from the title when absent (content create, update).",
                     "SLUG"},
          std::tuple{"description", "Description (content create, update).", "TEXT"},
          std::tuple{"body-file", "Markdown body from FILE, or - for standard input.", "FILE"},
          std::tuple{"type",
                     "article, video, gallery or podcast (content create, update; list filter).",
                     "TYPE"},
          std::tuple{"tag",
                     "A tag; repeat for more (content create, update: the whole set, '' for none; "
                     "list: a filter).",
                     "TAG"},
          std::tuple{"category", "A category id; repeat for more (as --tag).", "ID"},
          std::tuple{"media", "A media id; repeat for more (as --tag).", "ID"},
          std::tuple{"metadata", "Metadata as a JSON object (content create, update).", "JSON"},
          std::tuple{"publish-at", "Scheduled publication, ISO 8601; '' clears.", "TIME"},
          std::tuple{"unpublish-at", "Scheduled withdrawal, ISO 8601; '' clears.", "TIME"},
          std::tuple{"comment", "Comment of a status change (content set-status).", "TEXT"},
          std::tuple{"status", "draft, review, published or archived (content list).", "STATUS"},
          std::tuple{"author", "Author's id or email (content list).", "USER"},
          std::tuple{"q", "Text in the title (content list).", "TEXT"},
          std::tuple{"sort",
                     "title, createdAt, updatedAt, publishedAt, status, type or slug, after - "
                     "for descending (content list; default -updatedAt).",
                     "FIELD"},
          std::tuple{"limit", "Items per page, 1 to 100 (content list; default 20).", "N"},
          std::tuple{"page", "Page, from 1 (content list).", "N"},
          std::tuple{"format", "jsonl or markdown (content export, import).", "FORMAT"},
          std::tuple{"out", "Folder for --format markdown (content export).", "DIR"}}) {
        parser.addOption(QCommandLineOption(QLatin1String(name), QLatin1String(description),
                                            QLatin1String(value)));
    }
}

QString contentUsage()
{
    return QStringLiteral(
        "  content list [--status --type --tag --category --author --q --sort --limit --page]\n"
        "                        one page of items as JSON Lines\n"
        "  content get ID        one item as JSON\n"
        "  content create        --title [--slug --description --body-file FILE|- --type\n"
        "                        --tag... --category... --media... --metadata JSON\n"
        "                        --publish-at --unpublish-at]\n"
        "  content update ID     the same options; only those given change\n"
        "  content set-status ID draft|review|published|archived [--comment]\n"
        "  content delete ID\n"
        "  content export [--format jsonl|markdown --out DIR]\n"
        "                        every item you may see: JSON Lines on stdout, or one\n"
        "                        <slug>.md with YAML front matter per item in DIR\n"
        "  content import FILE|DIR [--format jsonl|markdown]\n"
        "                        new drafts, in batches of 1000 that are each all or nothing\n"
        "  Content commands act as a user of the replica: --as EMAIL.\n");
}

std::optional<QString> checkContentCommand(const QCommandLineParser &parser,
                                           const QStringList &args)
{
    if (args.isEmpty()) {
        return QStringLiteral("content needs a command (%1)").arg(subcommandNames());
    }
    const Subcommand *sub = findSubcommand(args.front());
    if (!sub) {
        return QStringLiteral("unknown content command '%1' (%2)")
            .arg(args.front(), subcommandNames());
    }
    const QString name = QStringLiteral("content ") + sub->name;
    if (args.size() - 1 != sub->arguments.size()) {
        return sub->arguments.isEmpty()
                   ? QStringLiteral("%1 takes no arguments, got '%2'")
                         .arg(name, args.mid(1).join(QLatin1Char(' ')))
                   : QStringLiteral("%1 takes %2").arg(name, sub->arguments.join(QLatin1Char(' ')));
    }
    static const QStringList common{QStringLiteral("data"), QStringLiteral("config"),
                                    QStringLiteral("log-level"), QStringLiteral("as")};
    QSet<QString> seen;
    for (const QString &option : parser.optionNames()) {
        if (!common.contains(option) && !sub->options.contains(option)) {
            return QStringLiteral("--%1 does not apply to %2").arg(option, name);
        }
        const bool repeatable =
            repeatableOptions().contains(option) && sub->name != QLatin1String("list");
        if (seen.contains(option) && !repeatable) {
            return QStringLiteral("--%1 is given more than once").arg(option);
        }
        seen.insert(option);
    }
    if (parser.isSet(QStringLiteral("type")) &&
        !parseContentType(parser.value(QStringLiteral("type")))) {
        return QStringLiteral("unknown type '%1' (article, video, gallery, podcast)")
            .arg(parser.value(QStringLiteral("type")));
    }
    const QString status = sub->name == QLatin1String("set-status")
                               ? args.at(2)
                               : parser.value(QStringLiteral("status"));
    if ((sub->name == QLatin1String("set-status") || parser.isSet(QStringLiteral("status"))) &&
        !parseContentStatus(status)) {
        return QStringLiteral("unknown status '%1' (draft, review, published, archived)")
            .arg(status);
    }
    for (const auto &[option, minimum, maximum] :
         {std::tuple{"limit", 1, kMaxListLimit}, std::tuple{"page", 1, 1000000000}}) {
        if (parser.isSet(QLatin1String(option))) {
            bool ok = false;
            const int n = parser.value(QLatin1String(option)).toInt(&ok);
            if (!ok || n < minimum || n > maximum) {
                return QStringLiteral("--%1 must be a whole number from %2 to %3")
                    .arg(QLatin1String(option))
                    .arg(minimum)
                    .arg(maximum);
            }
        }
    }
    const QString format = parser.value(QStringLiteral("format"));
    if (parser.isSet(QStringLiteral("format")) && format != QLatin1String("jsonl") &&
        format != QLatin1String("markdown")) {
        return QStringLiteral("unknown format '%1' (jsonl, markdown)").arg(format);
    }
    if (sub->name == QLatin1String("export")) {
        const bool markdown = format == QLatin1String("markdown");
        if (markdown && parser.value(QStringLiteral("out")).isEmpty()) {
            return QStringLiteral("content export --format markdown needs --out DIR");
        }
        if (!markdown && parser.isSet(QStringLiteral("out"))) {
            return QStringLiteral("--out is for --format markdown; JSON Lines go to stdout");
        }
    }
    if (sub->name == QLatin1String("create") && !parser.isSet(QStringLiteral("title"))) {
        return QStringLiteral("content create needs --title");
    }
    if (sub->name == QLatin1String("update")) {
        bool any = false;
        for (const QString &option : fieldOptions()) {
            any = any || parser.isSet(option);
        }
        if (!any) {
            return QStringLiteral("content update needs a field to change (--%1)")
                .arg(fieldOptions().join(QLatin1String(", --")));
        }
    }
    return std::nullopt;
}

int runContentCommand(ServiceHost &host, const QCommandLineParser &parser, const QStringList &args)
{
    // --as names a user of the replica; on a replica paired with a server,
    // the account it syncs as is the default.
    Result<Actor> actor = fail(
        Error::invalid(QStringLiteral("content %1 acts as a user of the replica: give --as EMAIL")
                           .arg(args.front()),
                       QStringLiteral("as")));
    if (parser.isSet(QStringLiteral("as"))) {
        actor = host.users()->localActor(parser.value(QStringLiteral("as")));
    } else if (auto paired = sync::SyncEngine::storedAccount(host.database());
               paired && paired->contains("userId")) {
        const auto role = parseRole(QString::fromStdString(paired->value("role", std::string())));
        actor = Actor{QString::fromStdString((*paired)["userId"].get<std::string>()),
                      role.value_or(Role::Consumer),
                      {}};
    }
    if (!actor) {
        return failWith(actor.error().field == QLatin1String("as") ? actor.error().message
                                                                   : describe(actor.error()));
    }
    ContentCommands commands(host, parser, *actor);
    const QString &command = args.front();
    if (command == QLatin1String("list")) {
        return commands.list();
    }
    if (command == QLatin1String("get")) {
        return commands.get(args.at(1));
    }
    if (command == QLatin1String("create")) {
        return commands.create();
    }
    if (command == QLatin1String("update")) {
        return commands.update(args.at(1));
    }
    if (command == QLatin1String("set-status")) {
        return commands.setStatus(args.at(1), args.at(2));
    }
    if (command == QLatin1String("delete")) {
        return commands.remove(args.at(1));
    }
    if (command == QLatin1String("export")) {
        return commands.exportItems();
    }
    return commands.importItems(args.at(1));
}

} // namespace colophon::ctl
