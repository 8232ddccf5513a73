// SPDX-License-Identifier: MIT
#include "ui/editor/metadataeditor.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSet>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace colophon {

namespace {
const QColor kFaultTint(220, 50, 47, 60);
}

MetadataEditor::MetadataEditor(QWidget *parent)
    : QWidget(parent), m_table(new QTableWidget(0, 2, this)), m_add(new QToolButton(this)),
      m_remove(new QToolButton(this)), m_error(new QLabel(this))
{
    setAccessibleName(tr("Metadata"));
    m_table->setObjectName(QStringLiteral("metadataTable"));
    m_table->setAccessibleName(tr("Metadata keys and values"));
    m_table->setToolTip(tr("Values that are valid JSON (numbers, true/false, lists, objects, "
                           "quoted text) are stored as JSON; anything else as text."));
    m_table->setHorizontalHeaderLabels({tr("Key"), tr("Value")});
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Interactive);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->resizeSection(0, 140);
    m_table->verticalHeader()->setVisible(false);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                             QAbstractItemView::AnyKeyPressed);
    m_table->setTabKeyNavigation(false);

    m_add->setObjectName(QStringLiteral("addMetadataRow"));
    m_add->setText(tr("Add"));
    m_add->setIcon(QIcon::fromTheme(QStringLiteral("list-add")));
    m_add->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_add->setAccessibleName(tr("Add a metadata entry"));
    m_add->setToolTip(tr("Add a key and value"));
    m_remove->setObjectName(QStringLiteral("removeMetadataRow"));
    m_remove->setText(tr("Remove"));
    m_remove->setIcon(QIcon::fromTheme(QStringLiteral("list-remove")));
    m_remove->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_remove->setAccessibleName(tr("Remove the selected metadata entries"));
    m_remove->setToolTip(tr("Remove the selected rows"));
    m_remove->setEnabled(false);

    m_error->setObjectName(QStringLiteral("metadataError"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: rgb(200, 40, 40);"));
    m_error->setVisible(false);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_add);
    buttons->addWidget(m_remove);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_error);
    layout->addLayout(buttons);
    setFocusProxy(m_table);

    connect(m_add, &QToolButton::clicked, this, [this] { addRow(); });
    connect(m_remove, &QToolButton::clicked, this, &MetadataEditor::removeSelectedRows);
    connect(m_table, &QTableWidget::itemSelectionChanged, this,
            [this] { m_remove->setEnabled(!m_readOnly && !m_table->selectedItems().isEmpty()); });
    connect(m_table, &QTableWidget::itemChanged, this, [this] {
        if (!m_loading) {
            validate();
            emit changed();
        }
    });
}

QString MetadataEditor::valueText(const nlohmann::json &value)
{
    if (value.is_string()) {
        const QString s = QString::fromStdString(value.get<std::string>());
        // A string that would read back as other JSON is shown quoted.
        const auto parsed = nlohmann::json::parse(s.toStdString(), nullptr, false);
        return parsed.is_discarded() && !s.trimmed().isEmpty() && s == s.trimmed()
                   ? s
                   : QString::fromStdString(value.dump());
    }
    return QString::fromStdString(value.dump());
}

nlohmann::json MetadataEditor::textValue(const QString &text)
{
    const auto parsed = nlohmann::json::parse(text.trimmed().toStdString(), nullptr, false);
    if (!text.trimmed().isEmpty() && !parsed.is_discarded()) {
        return parsed;
    }
    return text.toStdString();
}

void MetadataEditor::setMetadata(const nlohmann::json &metadata)
{
    m_loading = true;
    m_table->setRowCount(0);
    if (metadata.is_object()) {
        for (auto it = metadata.begin(); it != metadata.end(); ++it) {
            addRow(QString::fromStdString(it.key()), valueText(it.value()));
        }
    }
    m_loading = false;
    validate();
}

Result<nlohmann::json> MetadataEditor::metadata() const
{
    nlohmann::json out = nlohmann::json::object();
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const QTableWidgetItem *keyItem = m_table->item(row, 0);
        const QTableWidgetItem *valueItem = m_table->item(row, 1);
        const QString key = keyItem ? keyItem->text().trimmed() : QString();
        const QString value = valueItem ? valueItem->text() : QString();
        if (key.isEmpty() && value.trimmed().isEmpty()) {
            continue; // a row added and left blank
        }
        if (key.isEmpty()) {
            return fail(Error::invalid(tr("row %1 has a value but no key").arg(row + 1),
                                       QStringLiteral("metadata")));
        }
        if (out.contains(key.toStdString())) {
            return fail(Error::invalid(tr("the key \u201c%1\u201d appears more than once").arg(key),
                                       QStringLiteral("metadata")));
        }
        out[key.toStdString()] = textValue(value);
    }
    return out;
}

void MetadataEditor::setReadOnly(bool readOnly)
{
    m_readOnly = readOnly;
    m_table->setEditTriggers(readOnly ? QAbstractItemView::NoEditTriggers
                                      : QAbstractItemView::DoubleClicked |
                                            QAbstractItemView::EditKeyPressed |
                                            QAbstractItemView::AnyKeyPressed);
    m_add->setEnabled(!readOnly);
    m_remove->setEnabled(!readOnly && !m_table->selectedItems().isEmpty());
}

void MetadataEditor::addRow(const QString &key, const QString &value)
{
    const bool wasLoading = m_loading;
    m_loading = true;
    const int row = m_table->rowCount();
    m_table->insertRow(row);
    auto *keyItem = new QTableWidgetItem(key);
    keyItem->setData(Qt::AccessibleTextRole, tr("Key"));
    auto *valueItem = new QTableWidgetItem(value);
    valueItem->setData(Qt::AccessibleTextRole, tr("Value"));
    m_table->setItem(row, 0, keyItem);
    m_table->setItem(row, 1, valueItem);
    m_loading = wasLoading;
    if (!m_loading) {
        m_table->setCurrentCell(row, 0);
        m_table->editItem(keyItem);
        validate();
        emit changed();
    }
}

void MetadataEditor::removeSelectedRows()
{
    QList<int> rows;
    for (const QModelIndex &index : m_table->selectionModel()->selectedRows()) {
        rows << index.row();
    }
    if (rows.isEmpty()) {
        return;
    }
    std::sort(rows.begin(), rows.end(), std::greater<>());
    for (int row : rows) {
        m_table->removeRow(row);
    }
    validate();
    emit changed();
}

void MetadataEditor::validate()
{
    const bool wasLoading = m_loading;
    m_loading = true; // painting the rows is not an edit
    QHash<QString, int> seen;
    QSet<int> faulty;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const QString key =
            m_table->item(row, 0) ? m_table->item(row, 0)->text().trimmed() : QString();
        const QString value = m_table->item(row, 1) ? m_table->item(row, 1)->text() : QString();
        if (key.isEmpty() && !value.trimmed().isEmpty()) {
            faulty.insert(row);
        } else if (!key.isEmpty()) {
            if (seen.contains(key)) {
                faulty.insert(row);
                faulty.insert(seen.value(key));
            }
            seen.insert(key, row);
        }
    }
    for (int row = 0; row < m_table->rowCount(); ++row) {
        for (int column = 0; column < 2; ++column) {
            if (QTableWidgetItem *item = m_table->item(row, column)) {
                item->setBackground(faulty.contains(row) ? QBrush(kFaultTint) : QBrush());
            }
        }
    }
    m_loading = wasLoading;
    const auto result = metadata();
    m_error->setText(result ? QString() : result.error().message);
    m_error->setVisible(!result);
    setProperty("invalid", !result);
}

} // namespace colophon
