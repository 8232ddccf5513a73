// SPDX-License-Identifier: MIT
// Layered configuration: parsing, validation and precedence of the four layers.
#include "backend/config/config.h"

#include <QFile>
#include <QLocale>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>
#include <vector>

namespace colophon {

namespace {

std::size_t layerIndex(Config::Source source)
{
    return static_cast<std::size_t>(source);
}

bool isValidKey(const QString &key)
{
    if (key.isEmpty() || key.startsWith(u'.') || key.endsWith(u'.') || key.contains(u".."))
        return false;
    for (const QChar c : key) {
        const bool ok =
            (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9') || c == u'_' || c == u'.';
        if (!ok)
            return false;
    }
    return true;
}

std::optional<bool> parseBoolean(const QString &value)
{
    const QString v = value.trimmed().toLower();
    if (v == u"true" || v == u"1" || v == u"yes" || v == u"on")
        return true;
    if (v == u"false" || v == u"0" || v == u"no" || v == u"off")
        return false;
    return std::nullopt;
}

QString formatNumber(double value)
{
    return QString::number(value, 'g', QLocale::FloatingPointShortest);
}

QString q(const std::string &s)
{
    return QString::fromStdString(s);
}

void flatten(const nlohmann::json &object, const QString &prefix,
             std::vector<std::pair<QString, const nlohmann::json *>> &out)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString key = prefix.isEmpty() ? q(it.key()) : prefix + u'.' + q(it.key());
        if (it.value().is_object())
            flatten(it.value(), key, out);
        else
            out.emplace_back(key, &it.value());
    }
}

} // namespace

QString Config::environmentName(const QString &key)
{
    QString name = key.toUpper();
    name.replace(u'.', u'_');
    return QStringLiteral("COLOPHON_") + name;
}

QString Config::typeName(Type type)
{
    switch (type) {
    case Type::String:
        return QStringLiteral("a string");
    case Type::Integer:
        return QStringLiteral("an integer");
    case Type::Boolean:
        return QStringLiteral("a boolean");
    case Type::Number:
        return QStringLiteral("a number");
    }
    return QStringLiteral("a value");
}

std::optional<QString> Config::parse(Type type, const QString &value)
{
    switch (type) {
    case Type::String:
        return value;
    case Type::Integer: {
        bool ok = false;
        const qint64 v = value.trimmed().toLongLong(&ok, 10);
        if (!ok)
            return std::nullopt;
        return QString::number(v);
    }
    case Type::Boolean: {
        const auto v = parseBoolean(value);
        if (!v)
            return std::nullopt;
        return *v ? QStringLiteral("true") : QStringLiteral("false");
    }
    case Type::Number: {
        bool ok = false;
        const double v = value.trimmed().toDouble(&ok);
        if (!ok || !std::isfinite(v))
            return std::nullopt;
        return formatNumber(v);
    }
    }
    return std::nullopt;
}

void Config::define(const QString &key, Type type, const QString &defaultValue,
                    const QString &description)
{
    if (!isValidKey(key))
        throw std::logic_error("config: malformed key '" + key.toStdString() + "'");
    if (m_entries.count(key) != 0)
        throw std::logic_error("config: key '" + key.toStdString() + "' defined twice");
    const QString env = environmentName(key);
    if (const auto clash = m_environmentNames.find(env); clash != m_environmentNames.end())
        throw std::logic_error("config: keys '" + clash->second.toStdString() + "' and '" +
                               key.toStdString() + "' share the environment name " +
                               env.toStdString());
    auto canonical = parse(type, defaultValue);
    if (!canonical)
        throw std::logic_error("config: default of '" + key.toStdString() + "' is not " +
                               typeName(type).toStdString());

    Entry e;
    e.type = type;
    e.description = description;
    e.layers[layerIndex(Source::Default)] = std::move(*canonical);
    m_entries.emplace(key, std::move(e));
    m_environmentNames.emplace(env, key);
}

bool Config::isDefined(const QString &key) const
{
    return m_entries.count(key) != 0;
}

Result<void> Config::loadFile(const QString &path)
{
    const auto failWith = [&](const QString &what, const QString &key = {}) {
        const QString where = key.isEmpty()
                                  ? QStringLiteral("config file '%1'").arg(path)
                                  : QStringLiteral("config file '%1', key '%2'").arg(path, key);
        return fail(Error::invalid(where + QStringLiteral(": ") + what, key));
    };

    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return failWith(QStringLiteral("cannot be read (%1)").arg(file.errorString()));
    const QByteArray bytes = file.readAll();
    if (file.error() != QFileDevice::NoError)
        return failWith(QStringLiteral("cannot be read (%1)").arg(file.errorString()));

    nlohmann::json root;
    try {
        root = nlohmann::json::parse(bytes.constBegin(), bytes.constEnd());
    } catch (const nlohmann::json::parse_error &e) {
        return failWith(QStringLiteral("is not valid JSON (%1)").arg(QString::fromUtf8(e.what())));
    }
    if (!root.is_object())
        return failWith(QStringLiteral("must hold a JSON object"));

    std::vector<std::pair<QString, const nlohmann::json *>> values;
    flatten(root, {}, values);

    // Validate everything first; apply only if the whole file is good.
    std::map<QString, QString> accepted;
    for (const auto &[key, value] : values) {
        const auto it = m_entries.find(key);
        if (it == m_entries.end())
            return failWith(QStringLiteral("unknown key"), key);
        if (accepted.count(key) != 0)
            return failWith(QStringLiteral("given more than once"), key);
        const Type type = it->second.type;
        const auto wrongType = [&] {
            return failWith(QStringLiteral("expects %1").arg(typeName(type)), key);
        };

        std::optional<QString> canonical;
        if (value->is_string()) {
            canonical = parse(type, q(value->get<std::string>()));
        } else if (value->is_boolean()) {
            if (type == Type::Boolean)
                canonical = value->get<bool>() ? QStringLiteral("true") : QStringLiteral("false");
        } else if (value->is_number_unsigned()) {
            const auto v = value->get<std::uint64_t>();
            if (type == Type::Integer &&
                v <= static_cast<std::uint64_t>(std::numeric_limits<qint64>::max()))
                canonical = QString::number(static_cast<qint64>(v));
            else if (type == Type::Number)
                canonical = formatNumber(static_cast<double>(v));
        } else if (value->is_number_integer()) {
            const auto v = value->get<std::int64_t>();
            if (type == Type::Integer)
                canonical = QString::number(static_cast<qint64>(v));
            else if (type == Type::Number)
                canonical = formatNumber(static_cast<double>(v));
        } else if (value->is_number_float()) {
            if (type == Type::Number)
                canonical = formatNumber(value->get<double>());
        }
        if (!canonical)
            return wrongType();
        accepted.emplace(key, std::move(*canonical));
    }

    for (auto &[key, value] : accepted)
        m_entries.at(key).layers[layerIndex(Source::File)] = std::move(value);
    return {};
}

Result<void> Config::loadEnvironment(const QProcessEnvironment &env)
{
    std::vector<std::pair<Entry *, QString>> accepted;
    for (auto &[key, e] : m_entries) {
        const QString name = environmentName(key);
        if (!env.contains(name))
            continue;
        const QString raw = env.value(name);
        auto canonical = parse(e.type, raw);
        if (!canonical)
            return fail(Error::invalid(QStringLiteral("environment variable %1='%2' is not %3")
                                           .arg(name, raw, typeName(e.type)),
                                       name));
        accepted.emplace_back(&e, std::move(*canonical));
    }
    for (auto &[e, value] : accepted)
        e->layers[layerIndex(Source::Environment)] = std::move(value);
    return {};
}

Result<void> Config::set(const QString &key, const QString &value, Source source)
{
    const auto it = m_entries.find(key);
    if (it == m_entries.end())
        return fail(Error::invalid(QStringLiteral("unknown configuration key '%1'").arg(key), key));
    auto canonical = parse(it->second.type, value);
    if (!canonical)
        return fail(Error::invalid(QStringLiteral("configuration key '%1': '%2' is not %3")
                                       .arg(key, value, typeName(it->second.type)),
                                   key));
    it->second.layers[layerIndex(source)] = std::move(*canonical);
    return {};
}

const Config::Entry &Config::entry(const QString &key) const
{
    const auto it = m_entries.find(key);
    if (it == m_entries.end())
        throw std::logic_error("config: undefined key '" + key.toStdString() + "'");
    return it->second;
}

const Config::Entry &Config::typedEntry(const QString &key, Type type) const
{
    const Entry &e = entry(key);
    if (e.type != type)
        throw std::logic_error("config: key '" + key.toStdString() + "' is not " +
                               typeName(type).toStdString());
    return e;
}

const QString &Config::effective(const Entry &e)
{
    for (auto layer = e.layers.rbegin(); layer != e.layers.rend(); ++layer) {
        if (*layer)
            return **layer;
    }
    throw std::logic_error("config: key without a default"); // define() always sets one
}

QString Config::string(const QString &key) const
{
    return effective(entry(key));
}

qint64 Config::integer(const QString &key) const
{
    return effective(typedEntry(key, Type::Integer)).toLongLong();
}

bool Config::boolean(const QString &key) const
{
    return effective(typedEntry(key, Type::Boolean)) == u"true";
}

double Config::number(const QString &key) const
{
    return effective(typedEntry(key, Type::Number)).toDouble();
}

Config::Source Config::source(const QString &key) const
{
    const Entry &e = entry(key);
    for (std::size_t i = kLayers; i-- > 0;) {
        if (e.layers[i])
            return static_cast<Source>(i);
    }
    return Source::Default;
}

QStringList Config::keys() const
{
    QStringList out;
    out.reserve(static_cast<qsizetype>(m_entries.size()));
    for (const auto &[key, e] : m_entries)
        out.append(key);
    return out;
}

QString Config::description(const QString &key) const
{
    return entry(key).description;
}

Config::Type Config::type(const QString &key) const
{
    return entry(key).type;
}

} // namespace colophon
