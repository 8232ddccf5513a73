// SPDX-License-Identifier: MIT
// The categories of an item: the category tree with a check box on each,
// and a filter field above it. Checked categories that are not in the tree
// (not loaded yet, or deleted) are kept, so nothing is dropped silently.
#pragma once

#include "services/content/content.h"

#include <QHash>
#include <QSet>
#include <QWidget>
#include <vector>

QT_FORWARD_DECLARE_CLASS(QLineEdit)
QT_FORWARD_DECLARE_CLASS(QTreeWidget)
QT_FORWARD_DECLARE_CLASS(QTreeWidgetItem)

namespace colophon {

class CategoryPicker final : public QWidget
{
    Q_OBJECT

public:
    explicit CategoryPicker(QWidget *parent = nullptr);

    void setCategories(const std::vector<Category> &categories);
    // The checked category ids, sorted.
    QStringList checkedIds() const;
    void setCheckedIds(const QStringList &ids);
    // The category's name, or the id when it is not known.
    QString categoryName(const QString &id) const;
    QHash<QString, QString> names() const { return m_names; }
    void setReadOnly(bool readOnly);

    QTreeWidget *tree() const { return m_tree; }
    QLineEdit *filterEdit() const { return m_filter; }

signals:
    // The user checked or unchecked a category.
    void changed();

private:
    void rebuild();
    void applyFilter(const QString &text);

    QLineEdit *m_filter;
    QTreeWidget *m_tree;
    std::vector<Category> m_categories;
    QHash<QString, QString> m_names;
    QSet<QString> m_checked;
    bool m_building = false;
    bool m_readOnly = false;
};

} // namespace colophon
