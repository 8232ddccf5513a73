// SPDX-License-Identifier: MIT
// The Taxonomies section: the category tree (new, edit, move by drag and
// drop or "Move to…", delete with reassignment) and the tags with their
// usage counts (filter, rename, merge). Every change goes through the
// content service on the gateway's workers; the views change when the
// service accepted and they are loaded again. Read only for roles without
// taxonomy.manage.
#pragma once

#include "backend/core/error.h"
#include "ui/core/consolepage.h"

#include <QSet>

QT_FORWARD_DECLARE_CLASS(QAction)
QT_FORWARD_DECLARE_CLASS(QLabel)
QT_FORWARD_DECLARE_CLASS(QLineEdit)
QT_FORWARD_DECLARE_CLASS(QPushButton)
QT_FORWARD_DECLARE_CLASS(QTimer)
QT_FORWARD_DECLARE_CLASS(QTreeView)

namespace colophon {

class CategoryTreeModel;
class MessageBar;
class ServiceGateway;
class TagsModel;
struct Event;

class TaxonomyPage final : public ConsolePage
{
    Q_OBJECT

public:
    explicit TaxonomyPage(ServiceGateway &gateway, QWidget *parent = nullptr);
    ~TaxonomyPage() override;

    CategoryTreeModel *categoryModel() const { return m_categories; }
    TagsModel *tagsModel() const { return m_tags; }
    // The selected category's id, or empty.
    QString currentCategoryId() const;
    // The selected tags, most used first.
    QStringList selectedTags() const;

    void pageShown() override;
    void focusSearch() override;
    void createNew() override;

public slots:
    // Loads the categories and the tags (with the filter) again.
    void reload();
    void newCategory();
    void editCategory();
    void moveCategory();
    void deleteCategory();
    void renameTag();
    void mergeTags();
    // Asks the service to move the categories under newParentId (empty: the
    // top level); what a drop on the tree does.
    void requestMove(const QStringList &ids, const QString &newParentId);

signals:
    // The categories (or the tags) were loaded and the views show them.
    void categoriesLoaded();
    void tagsLoaded();

private:
    void buildCategoryPane(QWidget *pane);
    void buildTagPane(QWidget *pane);
    void loadCategories();
    void loadTags();
    void onEvent(const Event &event);
    void updateActions();
    void selectCategory(const QString &id);
    QString categoryName(const QString &id) const;

    ServiceGateway &m_gateway;
    CategoryTreeModel *m_categories;
    TagsModel *m_tags;

    QLabel *m_readOnlyNote = nullptr;
    MessageBar *m_categoryBar = nullptr;
    QTreeView *m_tree = nullptr;
    QPushButton *m_newButton = nullptr;
    QPushButton *m_editButton = nullptr;
    QPushButton *m_moveButton = nullptr;
    QPushButton *m_deleteButton = nullptr;
    QAction *m_newAction = nullptr;
    QAction *m_editAction = nullptr;
    QAction *m_moveAction = nullptr;
    QAction *m_deleteAction = nullptr;

    MessageBar *m_tagBar = nullptr;
    QLineEdit *m_filter = nullptr;
    QTreeView *m_tagList = nullptr;
    QLabel *m_tagSummary = nullptr;
    QPushButton *m_renameButton = nullptr;
    QPushButton *m_mergeButton = nullptr;
    QAction *m_renameAction = nullptr;
    QAction *m_mergeAction = nullptr;

    QTimer *m_refresh;     // coalesces reloads after committed events
    QTimer *m_filterTimer; // waits for typing to pause
    quint64 m_categoryGeneration = 0;
    quint64 m_tagGeneration = 0;
    QSet<QString> m_collapsed; // categories the person folded
    QString m_selectAfterLoad;
    QStringList m_tagsToSelect;
};

} // namespace colophon
