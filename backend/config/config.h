// SPDX-License-Identifier: MIT
// Layered configuration: declared keys with defaults, overridden by a JSON file, the environment
// (COLOPHON_*) and the command line, in that order of precedence whatever the order of loading.
#pragma once

#include "backend/core/error.h"

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <array>
#include <map>
#include <optional>

namespace colophon {

// Not thread-safe: define and load on one thread at start-up; afterwards any number of threads
// may read concurrently as long as nobody writes (the read accessors are const and lock-free).
class Config final
{
public:
    enum class Type { String, Integer, Boolean, Number };
    enum class Source { Default, File, Environment, CommandLine };

    // Declares a key ("http.max_body_bytes": lowercase letters, digits, '_' and '.'), its type,
    // default and a description. The environment name is "COLOPHON_" + the key uppercased with
    // '.' -> '_'. Declaring a key twice, two keys with the same environment name, a malformed key
    // or a default that does not parse as the type throws std::logic_error.
    void define(const QString &key, Type type, const QString &defaultValue,
                const QString &description);
    bool isDefined(const QString &key) const;

    // A JSON object file; nested objects flatten with '.'. Numbers, booleans and strings are
    // accepted and checked against the key's type. Unknown keys, wrong types, an unreadable file
    // or bad JSON give an InvalidInput error naming the file (and key), and apply nothing.
    Result<void> loadFile(const QString &path);
    // Reads COLOPHON_* for every defined key. An error names the variable whose value does not
    // parse as its key's type; nothing is applied then.
    Result<void>
    loadEnvironment(const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());
    // Sets a key at a layer; an unknown key or a value that does not parse gives an error.
    Result<void> set(const QString &key, const QString &value, Source source = Source::CommandLine);

    // The effective value, canonicalised for its type ("true"/"false", decimal integers).
    // Reading an undefined key, or with the accessor of another type, throws std::logic_error.
    QString string(const QString &key) const;
    qint64 integer(const QString &key) const;
    bool boolean(const QString &key) const; // true/false/1/0/yes/no/on/off, case-insensitive
    double number(const QString &key) const;
    Source source(const QString &key) const; // the layer the effective value came from
    QStringList keys() const;                // sorted
    QString description(const QString &key) const;
    Type type(const QString &key) const;

    static QString environmentName(const QString &key);

private:
    static constexpr std::size_t kLayers = 4;
    struct Entry
    {
        Type type = Type::String;
        QString description;
        std::array<std::optional<QString>, kLayers> layers; // indexed by Source
    };

    // The canonical text of value for type, or nullopt if it does not parse.
    static std::optional<QString> parse(Type type, const QString &value);
    static QString typeName(Type type);
    const Entry &entry(const QString &key) const;
    const Entry &typedEntry(const QString &key, Type type) const;
    static const QString &effective(const Entry &e);

    std::map<QString, Entry> m_entries;
    std::map<QString, QString> m_environmentNames; // environment name -> key
};

} // namespace colophon
