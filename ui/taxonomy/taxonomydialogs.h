// SPDX-License-Identifier: MIT
// The taxonomy page's dialogs. Each stays open while its service call runs
// and shows a refusal inside itself, next to the field it names, so nothing
// typed is lost; it closes when the service accepted.
#pragma once

#include "backend/core/error.h"

#include <QDialog>
#include <QHash>
#include <QSet>
#include <functional>
#include <optional>

QT_FORWARD_DECLARE_CLASS(QComboBox)
QT_FORWARD_DECLARE_CLASS(QDialogButtonBox)
QT_FORWARD_DECLARE_CLASS(QFormLayout)
QT_FORWARD_DECLARE_CLASS(QLabel)
QT_FORWARD_DECLARE_CLASS(QLineEdit)
QT_FORWARD_DECLARE_CLASS(QPlainTextEdit)
QT_FORWARD_DECLARE_CLASS(QPushButton)

namespace colophon {

class CategoryTreeModel;
class MessageBar;
struct Category;

// What the dialogs share: an introduction, a form, an inline message bar and
// OK/Cancel. OK runs the submit function (which starts a service call and
// later calls accept() or fail()); without one, OK just accepts.
class TaxonomyDialog : public QDialog
{
    Q_OBJECT

public:
    explicit TaxonomyDialog(const QString &title, QWidget *parent = nullptr);

    void setSubmit(std::function<void()> submit) { m_submit = std::move(submit); }
    // Shows the refusal, ends the busy state and puts the focus in the
    // field the error names (when the dialog has it).
    void fail(const Error &error, const QString &context = {});
    bool isBusy() const { return m_busy; }
    QPushButton *okButton() const { return m_ok; }

    // Not while a service call is running: its result would be lost.
    void reject() override;

protected:
    void setIntro(const QString &text);
    QFormLayout *form() const { return m_form; }
    // The widget to focus when the service names this field.
    void setFieldWidget(const QString &field, QWidget *widget) { m_fields.insert(field, widget); }
    // Whether OK may be pressed; subclasses call updateOk() when it may change.
    virtual bool isComplete() const { return true; }
    void updateOk();

private:
    void confirm();
    void setBusy(bool busy);

    QLabel *m_intro;
    QFormLayout *m_form;
    MessageBar *m_messageBar;
    QDialogButtonBox *m_buttons;
    QPushButton *m_ok;
    std::function<void()> m_submit;
    QHash<QString, QWidget *> m_fields;
    bool m_busy = false;
};

// Fills a combo with "(top level)" (when topLevel is not empty) and the
// categories in tree order, indented, leaving out `exclude`; the item data
// is the category id (empty for the top level).
void fillCategoryCombo(QComboBox *combo, const CategoryTreeModel &model,
                       const QSet<QString> &exclude, const QString &topLevel);

// New category (name, description, slug, parent) or Edit (name,
// description, slug).
class CategoryDialog final : public TaxonomyDialog
{
    Q_OBJECT

public:
    // New: under defaultParentId (empty: top level).
    CategoryDialog(const CategoryTreeModel &model, const QString &defaultParentId,
                   QWidget *parent = nullptr);
    // Edit: the category's current fields.
    CategoryDialog(const Category &category, QWidget *parent = nullptr);

    QString name() const;
    QString description() const;
    // Empty when left empty on a new category (the service makes it).
    QString slug() const;
    QString parentId() const;

protected:
    bool isComplete() const override;

private:
    void build(bool withParent);

    QLineEdit *m_name = nullptr;
    QPlainTextEdit *m_description = nullptr;
    QLineEdit *m_slug = nullptr;
    QComboBox *m_parent = nullptr;
};

// Move to…: every place the category may go (not under itself or its
// descendants), its current parent first chosen.
class MoveCategoryDialog final : public TaxonomyDialog
{
    Q_OBJECT

public:
    MoveCategoryDialog(const CategoryTreeModel &model, const QString &id,
                       QWidget *parent = nullptr);
    QString parentId() const;

protected:
    bool isComplete() const override;

private:
    QComboBox *m_parent;
    QString m_currentParent;
};

// Delete…: says what happens to the children (they move up) and, when the
// category holds items, asks where they go.
class DeleteCategoryDialog final : public TaxonomyDialog
{
    Q_OBJECT

public:
    DeleteCategoryDialog(const CategoryTreeModel &model, const QString &id,
                         QWidget *parent = nullptr);
    // Empty when the category holds no items.
    QString reassignTo() const;
    // Asks for the target after all (the service found items the list did not show).
    void askForTarget();

protected:
    bool isComplete() const override;

private:
    QComboBox *m_reassign;
    QLabel *m_reassignLabel;
};

// A tag name: rename one tag, or merge several into one.
class TagNameDialog final : public TaxonomyDialog
{
    Q_OBJECT

public:
    // `unchanged`: a name that would change nothing (the tag being renamed).
    TagNameDialog(const QString &title, const QString &intro, const QString &label,
                  const QString &initial, const QStringList &suggestions, const QString &unchanged,
                  QWidget *parent = nullptr);
    QString tagName() const;

protected:
    bool isComplete() const override;

private:
    QLineEdit *m_name;
    QString m_unchanged;
};

} // namespace colophon
