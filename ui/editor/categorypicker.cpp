// SPDX-License-Identifier: MIT
#include "ui/editor/categorypicker.h"

#include <QHeaderView>
#include <QLineEdit>
#include <QTreeWidget>
#include <QTreeWidgetItemIterator>
#include <QVBoxLayout>
#include <algorithm>
#include <functional>

namespace colophon {

namespace {
constexpr int kIdRole = Qt::UserRole;
}

CategoryPicker::CategoryPicker(QWidget *parent)
    : QWidget(parent), m_filter(new QLineEdit(this)), m_tree(new QTreeWidget(this))
{
    setAccessibleName(tr("Categories"));
    m_filter->setObjectName(QStringLiteral("categoryFilter"));
    m_filter->setPlaceholderText(tr("Filter categories"));
    m_filter->setAccessibleName(tr("Filter categories"));
    m_filter->setClearButtonEnabled(true);
    m_tree->setObjectName(QStringLiteral("categoryTree"));
    m_tree->setAccessibleName(tr("Category tree"));
    m_tree->setToolTip(tr("Check every category the item belongs to"));
    m_tree->setHeaderHidden(true);
    m_tree->setColumnCount(1);
    m_tree->setUniformRowHeights(true);
    m_tree->setMinimumHeight(110);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addWidget(m_filter);
    layout->addWidget(m_tree, 1);
    setFocusProxy(m_tree);

    connect(m_filter, &QLineEdit::textChanged, this, &CategoryPicker::applyFilter);
    connect(m_tree, &QTreeWidget::itemChanged, this, [this](QTreeWidgetItem *item, int) {
        if (m_building) {
            return;
        }
        const QString id = item->data(0, kIdRole).toString();
        const bool checked = item->checkState(0) == Qt::Checked;
        if (checked == m_checked.contains(id)) {
            return;
        }
        if (checked) {
            m_checked.insert(id);
        } else {
            m_checked.remove(id);
        }
        emit changed();
    });
}

void CategoryPicker::setCategories(const std::vector<Category> &categories)
{
    m_categories = categories;
    std::sort(m_categories.begin(), m_categories.end(), [](const Category &a, const Category &b) {
        return QString::localeAwareCompare(a.name, b.name) < 0;
    });
    m_names.clear();
    for (const Category &c : m_categories) {
        m_names.insert(c.id, c.name);
    }
    rebuild();
}

void CategoryPicker::rebuild()
{
    m_building = true;
    m_tree->clear();
    QHash<QString, QTreeWidgetItem *> made;
    // Parents before children, whatever the order: place what can be placed
    // until nothing more can; orphans (a missing parent) become roots.
    std::vector<const Category *> left;
    for (const Category &c : m_categories) {
        left.push_back(&c);
    }
    const auto place = [&](const Category &c, QTreeWidgetItem *parent) {
        auto *item = parent ? new QTreeWidgetItem(parent) : new QTreeWidgetItem(m_tree);
        item->setText(0, c.name);
        item->setData(0, kIdRole, c.id);
        item->setToolTip(0, c.description.isEmpty() ? c.slug : c.description);
        Qt::ItemFlags flags = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
        if (!m_readOnly) {
            flags |= Qt::ItemIsUserCheckable;
        }
        item->setFlags(flags);
        item->setCheckState(0, m_checked.contains(c.id) ? Qt::Checked : Qt::Unchecked);
        made.insert(c.id, item);
    };
    bool progress = true;
    while (!left.empty() && progress) {
        progress = false;
        for (auto it = left.begin(); it != left.end();) {
            const Category &c = **it;
            if (c.parentId.isEmpty() || made.contains(c.parentId)) {
                place(c, c.parentId.isEmpty() ? nullptr : made.value(c.parentId));
                it = left.erase(it);
                progress = true;
            } else {
                ++it;
            }
        }
    }
    for (const Category *c : left) {
        place(*c, nullptr);
    }
    m_tree->expandAll();
    m_building = false;
    applyFilter(m_filter->text());
}

QStringList CategoryPicker::checkedIds() const
{
    QStringList ids(m_checked.begin(), m_checked.end());
    ids.sort();
    return ids;
}

void CategoryPicker::setCheckedIds(const QStringList &ids)
{
    m_checked = QSet<QString>(ids.begin(), ids.end());
    m_building = true;
    for (QTreeWidgetItemIterator it(m_tree); *it; ++it) {
        (*it)->setCheckState(0, m_checked.contains((*it)->data(0, kIdRole).toString())
                                    ? Qt::Checked
                                    : Qt::Unchecked);
    }
    m_building = false;
}

QString CategoryPicker::categoryName(const QString &id) const
{
    return m_names.value(id, id);
}

void CategoryPicker::setReadOnly(bool readOnly)
{
    if (readOnly != m_readOnly) {
        m_readOnly = readOnly;
        rebuild();
    }
}

void CategoryPicker::applyFilter(const QString &text)
{
    const QString needle = text.trimmed();
    // An item shows when it or a descendant matches; children are visited first.
    std::function<bool(QTreeWidgetItem *)> visit = [&](QTreeWidgetItem *item) {
        bool any = needle.isEmpty() || item->text(0).contains(needle, Qt::CaseInsensitive);
        for (int i = 0; i < item->childCount(); ++i) {
            any = visit(item->child(i)) || any;
        }
        item->setHidden(!any);
        return any;
    };
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        visit(m_tree->topLevelItem(i));
    }
}

} // namespace colophon
