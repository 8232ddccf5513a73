// SPDX-License-Identifier: MIT
// An item's metadata as a two-column key/value table. A value that parses
// as JSON (42, true, [1, 2], {"a": 1}, "quoted") is stored as that JSON,
// anything else as a string. Empty and duplicate keys are errors, shown
// under the table and on the rows at fault.
#pragma once

#include "backend/core/error.h"

#include <QWidget>
#include <nlohmann/json.hpp>

QT_FORWARD_DECLARE_CLASS(QLabel)
QT_FORWARD_DECLARE_CLASS(QTableWidget)
QT_FORWARD_DECLARE_CLASS(QToolButton)

namespace colophon {

class MetadataEditor final : public QWidget
{
    Q_OBJECT

public:
    explicit MetadataEditor(QWidget *parent = nullptr);

    void setMetadata(const nlohmann::json &metadata);
    // The table as a JSON object, or an InvalidInput error naming "metadata".
    Result<nlohmann::json> metadata() const;
    bool isValid() const { return metadata().has_value(); }
    void setReadOnly(bool readOnly);

    // Adds an empty row and starts editing its key.
    void addRow(const QString &key = {}, const QString &value = {});
    void removeSelectedRows();

    // The text a value is shown as, and the value a text stands for.
    static QString valueText(const nlohmann::json &value);
    static nlohmann::json textValue(const QString &text);

    QTableWidget *table() const { return m_table; }

signals:
    void changed();

private:
    void validate();

    QTableWidget *m_table;
    QToolButton *m_add;
    QToolButton *m_remove;
    QLabel *m_error;
    bool m_loading = false;
    bool m_readOnly = false;
};

} // namespace colophon
