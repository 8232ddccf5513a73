// SPDX-License-Identifier: MIT
#include "app/ctl/frontmatter.h"

#include <QRegularExpression>
#include <QStringList>

namespace colophon::ctl {

namespace {

const QString kFrontMatter = QStringLiteral("front matter");

// lineNo is the line of the file (the opening --- is line 1).
Error syntax(int lineNo, const QString &message)
{
    return Error::invalid(QStringLiteral("line %1: %2").arg(lineNo).arg(message), kFrontMatter);
}

bool isBlank(QChar c)
{
    return c == u' ' || c == u'\t';
}

void skipBlanks(const QString &s, qsizetype &pos)
{
    while (pos < s.size() && isBlank(s[pos])) {
        ++pos;
    }
}

int hexValue(QChar c)
{
    if (c >= u'0' && c <= u'9') {
        return c.unicode() - u'0';
    }
    if (c >= u'a' && c <= u'f') {
        return c.unicode() - u'a' + 10;
    }
    if (c >= u'A' && c <= u'F') {
        return c.unicode() - u'A' + 10;
    }
    return -1;
}

// A "double-quoted" scalar starting at pos (on the quote); pos ends after the closing quote.
Result<QString> doubleQuoted(const QString &s, qsizetype &pos, int lineNo)
{
    QString out;
    ++pos;
    while (pos < s.size()) {
        const QChar c = s[pos++];
        if (c == u'"') {
            if (!out.isValidUtf16()) {
                return fail(
                    syntax(lineNo, QStringLiteral("a \\u escape leaves half a surrogate pair")));
            }
            return out;
        }
        if (c.unicode() < 0x20 && c != u'\t') {
            return fail(syntax(lineNo, QStringLiteral("a control character in a quoted string")));
        }
        if (c != u'\\') {
            out += c;
            continue;
        }
        if (pos >= s.size()) {
            break;
        }
        const QChar e = s[pos++];
        int digits = 0;
        switch (e.unicode()) {
        case u'"':
        case u'\\':
        case u'/':
            out += e;
            break;
        case u'b':
            out += u'\b';
            break;
        case u'f':
            out += u'\f';
            break;
        case u'n':
            out += u'\n';
            break;
        case u'r':
            out += u'\r';
            break;
        case u't':
            out += u'\t';
            break;
        case u'0':
            out += QChar(0);
            break;
        case u'x':
            digits = 2;
            break;
        case u'u':
            digits = 4;
            break;
        case u'U':
            digits = 8;
            break;
        default:
            return fail(syntax(lineNo, QStringLiteral("unknown escape \\%1 in a quoted string "
                                                      "(known: \\\" \\\\ \\/ \\b \\f \\n \\r \\t "
                                                      "\\0 \\xXX \\uXXXX \\UXXXXXXXX)")
                                           .arg(e)));
        }
        if (digits == 0) {
            continue;
        }
        char32_t code = 0;
        for (int i = 0; i < digits; ++i) {
            const int v = pos < s.size() ? hexValue(s[pos]) : -1;
            if (v < 0) {
                return fail(syntax(
                    lineNo, QStringLiteral("\\%1 needs %2 hexadecimal digits").arg(e).arg(digits)));
            }
            code = code * 16 + char32_t(v);
            ++pos;
        }
        if (digits == 8) {
            if (code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
                return fail(syntax(lineNo, QStringLiteral("\\U names no character")));
            }
            out += QString::fromUcs4(&code, 1);
        } else {
            out += QChar(char16_t(code)); // \u pairs make surrogate pairs; checked at the end
        }
    }
    return fail(syntax(lineNo, QStringLiteral("a quoted string is not closed on its line")));
}

// A 'single-quoted' scalar ('' is a quote) starting at pos.
Result<QString> singleQuoted(const QString &s, qsizetype &pos, int lineNo)
{
    QString out;
    ++pos;
    while (pos < s.size()) {
        const QChar c = s[pos++];
        if (c == u'\'') {
            if (pos < s.size() && s[pos] == u'\'') {
                out += c;
                ++pos;
                continue;
            }
            return out;
        }
        if (c.unicode() < 0x20 && c != u'\t') {
            return fail(syntax(lineNo, QStringLiteral("a control character in a quoted string")));
        }
        out += c;
    }
    return fail(syntax(lineNo, QStringLiteral("a quoted string is not closed on its line")));
}

// After a value: blanks, then the end or a comment (which needs a blank before its #).
Result<void> endOfValue(const QString &s, qsizetype pos, int lineNo)
{
    const qsizetype start = pos;
    skipBlanks(s, pos);
    if (pos == s.size() || (s[pos] == u'#' && pos > start)) {
        return {};
    }
    return fail(syntax(
        lineNo, QStringLiteral("unexpected text after the value: %1").arg(s.mid(pos).left(40))));
}

// The text of a plain (unquoted) scalar without its comment; checked for what
// YAML would read as something other than a string.
Result<QString> plainText(QString text, int lineNo)
{
    for (const QString &comment : {QStringLiteral(" #"), QStringLiteral("\t#")}) {
        const qsizetype at = text.indexOf(comment);
        if (at >= 0) {
            text.truncate(at);
        }
    }
    text = text.trimmed();
    if (text.isEmpty()) {
        return text;
    }
    const QChar first = text.front();
    if (first == u'|' || first == u'>') {
        return fail(syntax(lineNo, QStringLiteral("block scalars (| and >) are not supported; "
                                                  "write a \"quoted string\" with \\n")));
    }
    if (first == u'&' || first == u'*' || first == u'!') {
        return fail(syntax(lineNo, QStringLiteral("anchors, aliases and tags are not supported")));
    }
    if (first == u'%' || first == u'@' || first == u'`' || first == u',' || first == u']' ||
        first == u'}' || (first == u'?' && (text.size() == 1 || isBlank(text[1]))) ||
        (first == u'-' && (text.size() == 1 || isBlank(text[1])))) {
        return fail(syntax(
            lineNo, QStringLiteral("a value cannot start with %1 unless it is quoted").arg(first)));
    }
    if (text.contains(QLatin1String(": ")) || text.contains(QLatin1String(":\t")) ||
        text.endsWith(u':')) {
        return fail(syntax(lineNo, QStringLiteral("quote a value that contains ': '")));
    }
    return text;
}

bool isNull(const QString &plain)
{
    return plain == QLatin1String("~") || plain == QLatin1String("null") ||
           plain == QLatin1String("Null") || plain == QLatin1String("NULL");
}

// A list in flow form starting at pos (on the [): quoted or plain strings.
Result<nlohmann::json> flowList(const QString &s, qsizetype &pos, int lineNo)
{
    nlohmann::json out = nlohmann::json::array();
    ++pos;
    for (;;) {
        skipBlanks(s, pos);
        if (pos >= s.size()) {
            return fail(syntax(lineNo, QStringLiteral("a [ list is not closed")));
        }
        if (s[pos] == u']') {
            ++pos;
            return out;
        }
        const QChar c = s[pos];
        if (c == u'"' || c == u'\'') {
            auto item = c == u'"' ? doubleQuoted(s, pos, lineNo) : singleQuoted(s, pos, lineNo);
            if (!item) {
                return fail(item.error());
            }
            out.push_back(item->toStdString());
        } else if (c == u'[' || c == u'{') {
            return fail(syntax(lineNo, QStringLiteral("lists of lists or maps are not supported")));
        } else if (c == u',') {
            return fail(syntax(lineNo, QStringLiteral("an empty item in a [ list")));
        } else {
            const qsizetype start = pos;
            while (pos < s.size() && s[pos] != u',' && s[pos] != u']') {
                ++pos;
            }
            QString text = s.mid(start, pos - start).trimmed();
            if (text.contains(QLatin1String(" #")) || text.contains(QLatin1String("\t#"))) {
                return fail(
                    syntax(lineNo, QStringLiteral("comments inside a [ list are not supported")));
            }
            auto plain = plainText(text, lineNo);
            if (!plain) {
                return fail(plain.error());
            }
            out.push_back(plain->toStdString());
        }
        skipBlanks(s, pos);
        if (pos < s.size() && s[pos] == u',') {
            ++pos;
        } else if (pos >= s.size() || s[pos] != u']') {
            return fail(syntax(lineNo, QStringLiteral("expected , or ] in a [ list")));
        }
    }
}

// How many [ and { are still open at the end of s, outside quoted strings.
int openBrackets(const QString &s)
{
    int depth = 0;
    bool inDouble = false;
    bool inSingle = false;
    for (qsizetype i = 0; i < s.size(); ++i) {
        const QChar c = s[i];
        if (inDouble) {
            if (c == u'\\') {
                ++i;
            } else if (c == u'"') {
                inDouble = false;
            }
        } else if (inSingle) {
            if (c == u'\'') {
                inSingle = false;
            }
        } else if (c == u'"') {
            inDouble = true;
        } else if (c == u'\'' && depth > 0 && i > 0 && !s[i - 1].isLetterOrNumber()) {
            inSingle = true;
        } else if (c == u'[' || c == u'{') {
            ++depth;
        } else if (c == u']' || c == u'}') {
            --depth;
        }
    }
    return depth;
}

// A JSON object in flow form starting at pos (on the {); pos ends after its }.
Result<nlohmann::json> flowMap(const QString &s, qsizetype &pos, int lineNo)
{
    int depth = 0;
    bool inString = false;
    qsizetype end = pos;
    for (; end < s.size(); ++end) {
        const QChar c = s[end];
        if (inString) {
            if (c == u'\\') {
                ++end;
            } else if (c == u'"') {
                inString = false;
            }
        } else if (c == u'"') {
            inString = true;
        } else if (c == u'{' || c == u'[') {
            ++depth;
        } else if (c == u'}' || c == u']') {
            if (--depth == 0) {
                break;
            }
        }
    }
    if (end >= s.size()) {
        return fail(syntax(lineNo, QStringLiteral("a { map is not closed")));
    }
    const nlohmann::json value =
        nlohmann::json::parse(s.mid(pos, end + 1 - pos).toStdString(), nullptr, false);
    if (value.is_discarded() || !value.is_object()) {
        return fail(syntax(lineNo, QStringLiteral("a { map must be a JSON object (JSON in YAML "
                                                  "flow style, with \"quoted\" keys)")));
    }
    pos = end + 1;
    return value;
}

// One item of a block list: the text after "- ".
Result<nlohmann::json> blockItem(const QString &s, int lineNo)
{
    qsizetype pos = 0;
    skipBlanks(s, pos);
    if (pos >= s.size() || s[pos] == u'#') {
        return fail(syntax(lineNo, QStringLiteral("an empty list item")));
    }
    const QChar c = s[pos];
    if (c == u'"' || c == u'\'') {
        auto item = c == u'"' ? doubleQuoted(s, pos, lineNo) : singleQuoted(s, pos, lineNo);
        if (!item) {
            return fail(item.error());
        }
        if (auto end = endOfValue(s, pos, lineNo); !end) {
            return fail(end.error());
        }
        return nlohmann::json(item->toStdString());
    }
    if (c == u'[' || c == u'{') {
        return fail(syntax(lineNo, QStringLiteral("lists of lists or maps are not supported")));
    }
    auto plain = plainText(s.mid(pos), lineNo);
    if (!plain) {
        return fail(plain.error());
    }
    return nlohmann::json(plain->toStdString());
}

bool isComment(const QString &line)
{
    const QString t = line.trimmed();
    return t.isEmpty() || t.startsWith(u'#');
}

const QRegularExpression &blockItemLine()
{
    static const QRegularExpression re(QStringLiteral("^[ ]*-(?:[ \\t](.*))?$"));
    return re;
}

Result<nlohmann::json> parseFields(const QStringList &lines, int firstLineNo)
{
    static const QRegularExpression keyLine(
        QStringLiteral("^([A-Za-z_][A-Za-z0-9_.-]*):(?:[ \\t](.*))?$"));
    nlohmann::json fields = nlohmann::json::object();
    qsizetype i = 0;
    while (i < lines.size()) {
        const QString &line = lines[i];
        const int lineNo = firstLineNo + int(i);
        if (isComment(line)) {
            ++i;
            continue;
        }
        if (line.startsWith(u'\t') || (line.startsWith(u' ') && line.trimmed().startsWith(u'\t'))) {
            return fail(syntax(lineNo, QStringLiteral("tabs cannot indent YAML")));
        }
        if (blockItemLine().match(line).hasMatch()) {
            return fail(syntax(lineNo, QStringLiteral("a list item without a key above it")));
        }
        if (line.startsWith(u' ')) {
            return fail(syntax(lineNo, QStringLiteral("unexpected indentation (nested maps are "
                                                      "not supported; write metadata as {...})")));
        }
        const auto m = keyLine.match(line);
        if (!m.hasMatch()) {
            return fail(syntax(lineNo, QStringLiteral("expected 'key: value'")));
        }
        const std::string key = m.captured(1).toStdString();
        if (fields.contains(key)) {
            return fail(syntax(lineNo, QStringLiteral("%1 is given twice").arg(m.captured(1))));
        }
        QString value = m.captured(2);
        ++i;
        qsizetype pos = 0;
        skipBlanks(value, pos);
        if (pos >= value.size() || value[pos] == u'#') {
            // A block list on the lines below, or nothing (null).
            nlohmann::json items = nlohmann::json::array();
            qsizetype last = i;
            for (qsizetype j = i; j < lines.size(); ++j) {
                if (isComment(lines[j])) {
                    continue;
                }
                const auto item = blockItemLine().match(lines[j]);
                if (!item.hasMatch()) {
                    break;
                }
                auto v = blockItem(item.captured(1), firstLineNo + int(j));
                if (!v) {
                    return fail(v.error());
                }
                items.push_back(*v);
                last = j + 1;
            }
            fields[key] = items.empty() ? nlohmann::json(nullptr) : items;
            i = items.empty() ? i : last;
            continue;
        }
        const QChar c = value[pos];
        if (c == u'[' || c == u'{') {
            // A flow collection may go on over the following lines.
            while (openBrackets(value.mid(pos)) > 0 && i < lines.size()) {
                value += QLatin1Char('\n') + lines[i++];
            }
            auto parsed = c == u'[' ? flowList(value, pos, lineNo) : flowMap(value, pos, lineNo);
            if (!parsed) {
                return fail(parsed.error());
            }
            if (auto end = endOfValue(value, pos, lineNo); !end) {
                return fail(end.error());
            }
            fields[key] = *parsed;
            continue;
        }
        if (c == u'"' || c == u'\'') {
            auto text =
                c == u'"' ? doubleQuoted(value, pos, lineNo) : singleQuoted(value, pos, lineNo);
            if (!text) {
                return fail(text.error());
            }
            if (auto end = endOfValue(value, pos, lineNo); !end) {
                return fail(end.error());
            }
            fields[key] = text->toStdString();
            continue;
        }
        auto plain = plainText(value, lineNo);
        if (!plain) {
            return fail(plain.error());
        }
        fields[key] =
            isNull(*plain) ? nlohmann::json(nullptr) : nlohmann::json(plain->toStdString());
    }
    return fields;
}

QString quoted(const QString &s)
{
    QString out;
    out.reserve(s.size() + 2);
    out += u'"';
    for (const QChar c : s) {
        const char16_t u = c.unicode();
        switch (u) {
        case u'"':
            out += QLatin1String("\\\"");
            break;
        case u'\\':
            out += QLatin1String("\\\\");
            break;
        case u'\n':
            out += QLatin1String("\\n");
            break;
        case u'\r':
            out += QLatin1String("\\r");
            break;
        case u'\t':
            out += QLatin1String("\\t");
            break;
        case u'\b':
            out += QLatin1String("\\b");
            break;
        case u'\f':
            out += QLatin1String("\\f");
            break;
        default:
            // Controls, and what YAML does not allow unescaped (DEL, C1, line
            // and paragraph separators, BOM).
            if (u < 0x20 || (u >= 0x7F && u <= 0x9F) || u == 0x2028 || u == 0x2029 || u == 0xFEFF ||
                u == 0xFFFE || u == 0xFFFF) {
                out += QStringLiteral("\\u%1").arg(int(u), 4, 16, QLatin1Char('0'));
            } else {
                out += c;
            }
        }
    }
    out += u'"';
    return out;
}

} // namespace

QString yamlFlow(const nlohmann::json &value)
{
    switch (value.type()) {
    case nlohmann::json::value_t::string:
        return quoted(QString::fromStdString(value.get<std::string>()));
    case nlohmann::json::value_t::array: {
        QStringList items;
        for (const auto &v : value) {
            items << yamlFlow(v);
        }
        return u'[' + items.join(QLatin1String(", ")) + u']';
    }
    case nlohmann::json::value_t::object: {
        QStringList items;
        for (auto it = value.begin(); it != value.end(); ++it) {
            items << quoted(QString::fromStdString(it.key())) + QStringLiteral(": ") +
                         yamlFlow(it.value());
        }
        return u'{' + items.join(QLatin1String(", ")) + u'}';
    }
    case nlohmann::json::value_t::discarded:
    case nlohmann::json::value_t::null:
        return QStringLiteral("null");
    default: // numbers and booleans read the same in JSON and YAML
        return QString::fromStdString(value.dump());
    }
}

QString writeMarkdownDocument(const std::vector<std::pair<QString, nlohmann::json>> &fields,
                              const QString &body)
{
    QString out = QStringLiteral("---\n");
    for (const auto &[key, value] : fields) {
        out += key + QStringLiteral(": ") + yamlFlow(value) + u'\n';
    }
    out += QStringLiteral("---\n");
    out += body;
    return out;
}

Result<MarkdownDocument> parseMarkdownDocument(const QString &input)
{
    QStringView text(input);
    if (text.startsWith(QChar(0xFEFF))) {
        text = text.mid(1);
    }
    // Lines of the front matter, up to the closing --- (or ...).
    const auto lineAt = [&](qsizetype from, qsizetype &next) {
        qsizetype nl = text.indexOf(u'\n', from);
        next = nl < 0 ? text.size() : nl + 1;
        QStringView line = text.mid(from, (nl < 0 ? text.size() : nl) - from);
        if (line.endsWith(u'\r')) {
            line.chop(1);
        }
        return line;
    };
    qsizetype next = 0;
    const QStringView first = lineAt(0, next);
    if (first.trimmed() != QLatin1String("---") || !first.startsWith(u'-')) {
        return fail(
            Error::invalid(QStringLiteral("the file must start with a --- line"), kFrontMatter));
    }
    QStringList lines;
    qsizetype pos = next;
    for (;;) {
        if (pos >= text.size()) {
            return fail(Error::invalid(QStringLiteral("no closing --- line"), kFrontMatter));
        }
        const QStringView line = lineAt(pos, next);
        pos = next;
        const QStringView end = line.trimmed();
        if ((end == QLatin1String("---") || end == QLatin1String("...")) &&
            !line.startsWith(u' ')) {
            break;
        }
        lines << line.toString();
    }
    auto fields = parseFields(lines, 2);
    if (!fields) {
        return fail(fields.error());
    }
    return MarkdownDocument{std::move(*fields), text.mid(pos).toString()};
}

} // namespace colophon::ctl
