// SPDX-License-Identifier: MIT
#include "services/content/content.h"

#include "backend/core/isotime.h"
#include "backend/core/sha256.h"

#include <QDateTime>
#include <QRegularExpression>
#include <QUuid>
#include <cstdint>
#include <cstring>

namespace colophon {

namespace {

constexpr int kMaxTitle = 300;
constexpr int kMaxSlug = 120;
constexpr int kMaxDescription = 2000;
constexpr qsizetype kMaxBodyBytes = 2 * 1024 * 1024;
constexpr int kMaxMetadataDepth = 20;
constexpr std::size_t kMaxMetadataBytes = 64 * 1024;
constexpr int kMaxTag = 50;
constexpr int kMaxMediaIds = 100;

std::string text(const QString &s)
{
    return s.toStdString();
}

nlohmann::json time(qint64 ms)
{
    if (ms <= 0) {
        return nullptr;
    }
    return isoTimeUtc(ms);
}

nlohmann::json list(const QStringList &values)
{
    nlohmann::json out = nlohmann::json::array();
    for (const QString &v : values) {
        out.push_back(v.toStdString());
    }
    return out;
}

bool hasControl(const QString &s, bool allowNewlines)
{
    for (const QChar c : s) {
        if (c.category() == QChar::Other_Control &&
            !(allowNewlines && (c == u'\n' || c == u'\r' || c == u'\t'))) {
            return true;
        }
    }
    return false;
}

// Depth of nesting, stopping early past limit (so a hostile document costs little).
int depthOf(const nlohmann::json &j, int limit)
{
    if (limit < 0 || !j.is_structured()) {
        return 0;
    }
    int deepest = 0;
    for (const auto &child : j) {
        deepest = std::max(deepest, depthOf(child, limit - 1));
        if (deepest > limit) {
            break;
        }
    }
    return deepest + 1;
}

} // namespace

std::optional<ContentType> parseContentType(const QString &name)
{
    if (name == QLatin1String("article")) {
        return ContentType::Article;
    }
    if (name == QLatin1String("video")) {
        return ContentType::Video;
    }
    if (name == QLatin1String("gallery")) {
        return ContentType::Gallery;
    }
    if (name == QLatin1String("podcast")) {
        return ContentType::Podcast;
    }
    return std::nullopt;
}

QString contentTypeName(ContentType type)
{
    switch (type) {
    case ContentType::Article:
        return QStringLiteral("article");
    case ContentType::Video:
        return QStringLiteral("video");
    case ContentType::Gallery:
        return QStringLiteral("gallery");
    case ContentType::Podcast:
        return QStringLiteral("podcast");
    }
    return {};
}

std::optional<ContentStatus> parseContentStatus(const QString &name)
{
    if (name == QLatin1String("draft")) {
        return ContentStatus::Draft;
    }
    if (name == QLatin1String("review")) {
        return ContentStatus::Review;
    }
    if (name == QLatin1String("published")) {
        return ContentStatus::Published;
    }
    if (name == QLatin1String("archived")) {
        return ContentStatus::Archived;
    }
    return std::nullopt;
}

QString contentStatusName(ContentStatus status)
{
    switch (status) {
    case ContentStatus::Draft:
        return QStringLiteral("draft");
    case ContentStatus::Review:
        return QStringLiteral("review");
    case ContentStatus::Published:
        return QStringLiteral("published");
    case ContentStatus::Archived:
        return QStringLiteral("archived");
    }
    return {};
}

nlohmann::json ContentItem::field(const QString &name) const
{
    if (name == QLatin1String("title")) {
        return text(title);
    }
    if (name == QLatin1String("slug")) {
        return text(slug);
    }
    if (name == QLatin1String("description")) {
        return text(description);
    }
    if (name == QLatin1String("body")) {
        return text(body);
    }
    if (name == QLatin1String("type")) {
        return text(contentTypeName(type));
    }
    if (name == QLatin1String("status")) {
        return text(contentStatusName(status));
    }
    if (name == QLatin1String("metadata")) {
        return metadata;
    }
    if (name == QLatin1String("mediaIds")) {
        return list(mediaIds);
    }
    if (name == QLatin1String("authorId")) {
        return text(authorId);
    }
    if (name == QLatin1String("publishedAt")) {
        return time(publishedAtMs);
    }
    if (name == QLatin1String("publishAt")) {
        return time(publishAtMs);
    }
    if (name == QLatin1String("unpublishAt")) {
        return time(unpublishAtMs);
    }
    if (name == QLatin1String("tags")) {
        return list(tags);
    }
    if (name == QLatin1String("categories")) {
        return list(categories);
    }
    return nullptr;
}

nlohmann::json ContentItem::toJson(bool withBody) const
{
    return nlohmann::json::parse(toJsonText(withBody));
}

namespace {

// Whether any of the eight bytes at p is a control character, '"' or '\\'
// (the classic "has a zero byte" test, for each of the three).
bool needsEscape(const char *p)
{
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);
    constexpr std::uint64_t kOnes = 0x0101010101010101;
    constexpr std::uint64_t kHighs = 0x8080808080808080;
    const auto hasZero = [](std::uint64_t x) { return (x - kOnes) & ~x & kHighs; };
    const std::uint64_t below0x20 = (v - 0x20 * kOnes) & ~v & kHighs;
    return (below0x20 | hasZero(v ^ ('"' * kOnes)) | hasZero(v ^ ('\\' * kOnes))) != 0;
}

// A JSON string as nlohmann's dump() writes one (UTF-8 kept as it is). Runs
// of characters that need no escape are appended whole: a body is mostly one.
void appendString(std::string &out, std::string_view utf8)
{
    static constexpr char kHex[] = "0123456789abcdef";
    const char *run = utf8.data();
    const char *const end = run + utf8.size();
    out += '"';
    for (const char *p = run; p != end; ++p) {
        // Eight bytes at a time while none of them needs an escape.
        while (end - p >= 8 && !needsEscape(p)) {
            p += 8;
        }
        if (p == end) {
            break;
        }
        const auto c = static_cast<unsigned char>(*p);
        if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        out.append(run, p);
        run = p + 1;
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 0xf];
        }
    }
    out.append(run, end);
    out += '"';
}

std::string listText(const QStringList &values)
{
    std::string out = "[";
    for (qsizetype i = 0; i < values.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        appendString(out, values[i].toStdString());
    }
    out += ']';
    return out;
}

void appendTime(std::string &out, qint64 ms)
{
    if (ms <= 0) {
        out += "null";
        return;
    }
    out += '"';
    out += isoTimeUtc(ms);
    out += '"';
}

} // namespace

std::string renderContentItem(const ContentItemText &item, bool withBody)
{
    std::string out;
    out.reserve(512 + item.title.size() + item.description.size() + item.metadata.size() +
                (withBody ? item.body.size() + item.body.size() / 8 : 0));
    const auto key = [&](const char *name) {
        out += out.empty() ? "{\"" : ",\"";
        out += name;
        out += "\":";
    };
    const auto text = [&](const char *name, std::string_view value) {
        key(name);
        appendString(out, value);
    };
    const auto json = [&](const char *name, std::string_view value) {
        key(name);
        out += value;
    };
    const auto time = [&](const char *name, qint64 ms) {
        key(name);
        appendTime(out, ms);
    };
    // Keys in alphabetical order, as a JSON object of this project dumps them.
    text("authorId", item.authorId);
    if (withBody) {
        text("body", item.body);
    }
    text("bodyHash", item.bodyHash);
    json("categories", item.categories);
    time("createdAt", item.createdAtMs);
    text("createdBy", item.authorId);
    text("description", item.description);
    text("id", item.id);
    json("mediaIds", item.mediaIds);
    json("metadata", item.metadata);
    time("publishAt", item.publishAtMs);
    time("publishedAt", item.publishedAtMs);
    text("slug", item.slug);
    text("status", item.status);
    json("tags", item.tags);
    text("title", item.title);
    text("type", item.type);
    time("unpublishAt", item.unpublishAtMs);
    time("updatedAt", item.updatedAtMs);
    key("version");
    out += std::to_string(item.version);
    out += '}';
    return out;
}

std::string ContentItem::toJsonText(bool withBody) const
{
    const std::string authorText = authorId.toStdString();
    const std::string bodyText = withBody ? body.toStdString() : std::string();
    const std::string hashText = bodyHash.toStdString();
    const std::string categoryList = listText(categories);
    const std::string descriptionText = description.toStdString();
    const std::string idText = id.toStdString();
    const std::string mediaList = listText(mediaIds);
    const std::string metadataText = metadata.dump();
    const std::string slugText = slug.toStdString();
    const std::string statusText = contentStatusName(status).toStdString();
    const std::string tagList = listText(tags);
    const std::string titleText = title.toStdString();
    const std::string typeText = contentTypeName(type).toStdString();
    ContentItemText t{authorText, bodyText,  hashText,     categoryList, descriptionText,
                      idText,     mediaList, metadataText, slugText,     statusText,
                      tagList,    titleText, typeText};
    t.createdAtMs = createdAtMs;
    t.publishAtMs = publishAtMs;
    t.publishedAtMs = publishedAtMs;
    t.unpublishAtMs = unpublishAtMs;
    t.updatedAtMs = updatedAtMs;
    t.version = version;
    return renderContentItem(t, withBody);
}

nlohmann::json Category::toJson() const
{
    return {
        {"id", text(id)},
        {"name", text(name)},
        {"description", text(description)},
        {"parentId", parentId.isEmpty() ? nlohmann::json(nullptr) : nlohmann::json(text(parentId))},
        {"slug", text(slug)},
        {"itemCount", itemCount},
        {"createdAt", time(createdAtMs)},
        {"updatedAt", time(updatedAtMs)}};
}

Result<QString> validTitle(const QString &title)
{
    const QString t = title.trimmed();
    if (t.isEmpty() || t.size() > kMaxTitle || hasControl(t, false)) {
        return fail(Error::invalid(
            QStringLiteral("title must be 1 to %1 characters without control characters")
                .arg(kMaxTitle),
            QStringLiteral("title")));
    }
    return t;
}

Result<QString> validSlug(const QString &slug)
{
    static const QRegularExpression shape(QStringLiteral("^[\\p{L}\\p{N}]+(?:-[\\p{L}\\p{N}]+)*$"),
                                          QRegularExpression::UseUnicodePropertiesOption);
    if (slug.isEmpty() || slug.size() > kMaxSlug || slug != slug.toLower() ||
        !shape.match(slug).hasMatch()) {
        return fail(Error::invalid(
            QStringLiteral("slug must be lower-case letters and digits joined by single hyphens, "
                           "at most %1 characters")
                .arg(kMaxSlug),
            QStringLiteral("slug")));
    }
    return slug;
}

Result<QString> validDescription(const QString &description)
{
    if (description.size() > kMaxDescription || hasControl(description, true)) {
        return fail(Error::invalid(
            QStringLiteral("description must be at most %1 characters").arg(kMaxDescription),
            QStringLiteral("description")));
    }
    return description.trimmed();
}

Result<QString> validBody(const QString &body)
{
    // A UTF-16 unit is at most 3 bytes of UTF-8: most bodies need no count.
    if (body.size() > kMaxBodyBytes / 3 && body.toUtf8().size() > kMaxBodyBytes) {
        return fail(
            Error::invalid(QStringLiteral("body must be at most 2 MiB"), QStringLiteral("body")));
    }
    return body;
}

Result<nlohmann::json> validMetadata(const nlohmann::json &metadata)
{
    const QString field = QStringLiteral("metadata");
    if (!metadata.is_object()) {
        return fail(Error::invalid(QStringLiteral("metadata must be a JSON object"), field));
    }
    if (depthOf(metadata, kMaxMetadataDepth) > kMaxMetadataDepth) {
        return fail(Error::invalid(
            QStringLiteral("metadata is nested more than %1 levels deep").arg(kMaxMetadataDepth),
            field));
    }
    if (metadata.dump().size() > kMaxMetadataBytes) {
        return fail(Error::invalid(QStringLiteral("metadata must be at most 64 KiB"), field));
    }
    return metadata;
}

Result<QString> normaliseTag(const QString &tag)
{
    const QString t = tag.simplified().toLower();
    if (t.isEmpty() || t.size() > kMaxTag || hasControl(t, false)) {
        return fail(Error::invalid(QStringLiteral("a tag must be 1 to %1 characters").arg(kMaxTag),
                                   QStringLiteral("tags")));
    }
    return t;
}

Result<QStringList> validMediaIds(const QStringList &ids)
{
    if (ids.size() > kMaxMediaIds) {
        return fail(Error::invalid(QStringLiteral("at most %1 media ids").arg(kMaxMediaIds),
                                   QStringLiteral("mediaIds")));
    }
    QStringList out;
    for (const QString &id : ids) {
        const QUuid uuid = QUuid::fromString(id);
        if (uuid.isNull()) {
            return fail(Error::invalid(QStringLiteral("mediaIds must be UUIDs"),
                                       QStringLiteral("mediaIds")));
        }
        const QString canonical = uuid.toString(QUuid::WithoutBraces);
        if (!out.contains(canonical)) {
            out << canonical;
        }
    }
    return out;
}

QString slugify(const QString &text)
{
    QString out;
    bool hyphen = false;
    for (const QChar c : text.normalized(QString::NormalizationForm_KC).toLower()) {
        if (c.isLetterOrNumber()) {
            if (hyphen && !out.isEmpty()) {
                out += u'-';
            }
            hyphen = false;
            out += c;
        } else {
            hyphen = true;
        }
        if (out.size() >= kMaxSlug) {
            break;
        }
    }
    while (out.endsWith(u'-')) {
        out.chop(1);
    }
    return out.isEmpty() ? QStringLiteral("item") : out.left(kMaxSlug);
}

QString bodyHash(const QString &body)
{
    return sha256Hex(body.toUtf8());
}

std::optional<Action> transitionAction(ContentStatus from, ContentStatus to)
{
    using S = ContentStatus;
    switch (to) {
    case S::Review:
        return from == S::Draft ? std::optional(Action::ContentSubmit) : std::nullopt;
    case S::Published:
        return from == S::Draft || from == S::Review ? std::optional(Action::ContentPublish)
                                                     : std::nullopt;
    case S::Draft:
        if (from == S::Review) {
            return Action::ContentReject;
        }
        if (from == S::Published) {
            return Action::ContentPublish;
        }
        if (from == S::Archived) {
            return Action::ContentRestore;
        }
        return std::nullopt;
    case S::Archived:
        return from != S::Archived ? std::optional(Action::ContentArchive) : std::nullopt;
    }
    return std::nullopt;
}

} // namespace colophon
