// SPDX-License-Identifier: MIT
// The taxonomy dialogs: new/edit category, move, delete, tag name.
#include "ui/taxonomy/taxonomydialogs.h"

#include "services/content/content.h"
#include "ui/core/messagebar.h"
#include "ui/taxonomy/categorytreemodel.h"
#include "ui/taxonomy/taxonomytext.h"

#include <QComboBox>
#include <QCompleter>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace colophon {

TaxonomyDialog::TaxonomyDialog(const QString &title, QWidget *parent)
    : QDialog(parent), m_intro(new QLabel(this)), m_form(new QFormLayout),
      m_messageBar(new MessageBar(this)),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this)),
      m_ok(m_buttons->button(QDialogButtonBox::Ok))
{
    setWindowTitle(title);
    setAccessibleName(title);
    m_messageBar->setObjectName(QStringLiteral("dialogMessageBar"));
    m_intro->setWordWrap(true);
    m_intro->setVisible(false);
    m_ok->setObjectName(QStringLiteral("okButton"));
    m_ok->setAccessibleName(tr("OK"));
    m_buttons->button(QDialogButtonBox::Cancel)->setAccessibleName(tr("Cancel"));
    m_form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_intro);
    layout->addLayout(m_form);
    layout->addWidget(m_messageBar);
    layout->addStretch(1);
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &TaxonomyDialog::confirm);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &TaxonomyDialog::reject);
    setMinimumWidth(420);
}

void TaxonomyDialog::setIntro(const QString &text)
{
    m_intro->setText(text);
    m_intro->setVisible(!text.isEmpty());
}

void TaxonomyDialog::updateOk()
{
    m_ok->setEnabled(!m_busy && isComplete());
}

void TaxonomyDialog::confirm()
{
    if (m_busy || !isComplete()) {
        return;
    }
    if (!m_submit) {
        accept();
        return;
    }
    m_messageBar->clear();
    setBusy(true);
    m_submit();
}

void TaxonomyDialog::setBusy(bool busy)
{
    m_busy = busy;
    m_buttons->button(QDialogButtonBox::Cancel)->setEnabled(!busy);
    for (QWidget *field : std::as_const(m_fields)) {
        field->setEnabled(!busy);
    }
    if (busy) {
        setCursor(Qt::BusyCursor);
    } else {
        unsetCursor();
    }
    updateOk();
}

void TaxonomyDialog::fail(const Error &error, const QString &context)
{
    setBusy(false);
    m_messageBar->showError(error, context);
    if (QWidget *field = m_fields.value(error.field)) {
        field->setFocus();
    }
}

void TaxonomyDialog::reject()
{
    if (!m_busy) {
        QDialog::reject();
    }
}

void fillCategoryCombo(QComboBox *combo, const CategoryTreeModel &model,
                       const QSet<QString> &exclude, const QString &topLevel)
{
    combo->clear();
    combo->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    if (!topLevel.isEmpty()) {
        combo->addItem(topLevel, QString());
    }
    for (const auto &[id, depth] : model.treeOrder()) {
        if (exclude.contains(id)) {
            continue;
        }
        const Category *c = model.category(id);
        combo->addItem(QString(depth * 4, u' ') + c->name, id);
        combo->setItemData(combo->count() - 1, model.pathOf(id), Qt::ToolTipRole);
        combo->setItemData(combo->count() - 1, model.pathOf(id), Qt::AccessibleTextRole);
    }
}

// ---- CategoryDialog

CategoryDialog::CategoryDialog(const CategoryTreeModel &model, const QString &defaultParentId,
                               QWidget *parent)
    : TaxonomyDialog(tr("New Category"), parent)
{
    build(true);
    fillCategoryCombo(m_parent, model, {}, tr("(Top level)"));
    m_parent->setCurrentIndex(qMax(0, m_parent->findData(defaultParentId)));
    m_slug->setPlaceholderText(tr("Made from the name when left empty"));
    okButton()->setText(tr("&Create"));
    updateOk();
}

CategoryDialog::CategoryDialog(const Category &category, QWidget *parent)
    : TaxonomyDialog(tr("Edit Category"), parent)
{
    build(false);
    m_name->setText(category.name);
    m_description->setPlainText(category.description);
    m_slug->setText(category.slug);
    m_slug->setPlaceholderText(tr("Lower-case letters, digits and hyphens"));
    okButton()->setText(tr("&Save"));
    m_name->selectAll();
    updateOk();
}

void CategoryDialog::build(bool withParent)
{
    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("categoryName"));
    m_name->setAccessibleName(tr("Name"));
    m_name->setPlaceholderText(tr("For example: Travel"));
    m_name->setMaxLength(100);
    m_name->setToolTip(tr("The category's name as readers see it (1 to 100 characters)"));
    form()->addRow(tr("&Name:"), m_name);
    setFieldWidget(QStringLiteral("name"), m_name);

    m_description = new QPlainTextEdit(this);
    m_description->setObjectName(QStringLiteral("categoryDescription"));
    m_description->setAccessibleName(tr("Description"));
    m_description->setPlaceholderText(tr("Optional: what belongs in this category"));
    m_description->setTabChangesFocus(true);
    m_description->setFixedHeight(m_description->fontMetrics().lineSpacing() * 4 + 12);
    form()->addRow(tr("&Description:"), m_description);
    setFieldWidget(QStringLiteral("description"), m_description);

    m_slug = new QLineEdit(this);
    m_slug->setObjectName(QStringLiteral("categorySlug"));
    m_slug->setAccessibleName(tr("Slug"));
    m_slug->setToolTip(tr("The category's part of web addresses; unique among categories"));
    form()->addRow(tr("S&lug:"), m_slug);
    setFieldWidget(QStringLiteral("slug"), m_slug);

    if (withParent) {
        m_parent = new QComboBox(this);
        m_parent->setObjectName(QStringLiteral("categoryParent"));
        m_parent->setAccessibleName(tr("Parent category"));
        m_parent->setToolTip(tr("The category the new one goes under"));
        form()->addRow(tr("&Parent:"), m_parent);
        setFieldWidget(QStringLiteral("parentId"), m_parent);
    }
    connect(m_name, &QLineEdit::textChanged, this, &CategoryDialog::updateOk);
    m_name->setFocus();
}

QString CategoryDialog::name() const
{
    return m_name->text().trimmed();
}

QString CategoryDialog::description() const
{
    return m_description->toPlainText().trimmed();
}

QString CategoryDialog::slug() const
{
    return m_slug->text().trimmed();
}

QString CategoryDialog::parentId() const
{
    return m_parent ? m_parent->currentData().toString() : QString();
}

bool CategoryDialog::isComplete() const
{
    return !name().isEmpty();
}

// ---- MoveCategoryDialog

MoveCategoryDialog::MoveCategoryDialog(const CategoryTreeModel &model, const QString &id,
                                       QWidget *parent)
    : TaxonomyDialog(tr("Move Category"), parent), m_parent(new QComboBox(this))
{
    const Category *c = model.category(id);
    m_currentParent = c ? c->parentId : QString();
    setIntro(tr("Move “%1” and everything under it to:").arg(model.pathOf(id)));
    m_parent->setObjectName(QStringLiteral("categoryParent"));
    m_parent->setAccessibleName(tr("New parent category"));
    m_parent->setToolTip(tr("A category cannot move under itself or its subcategories, so "
                            "those are not listed"));
    const QStringList subtree = model.subtreeIds(id);
    fillCategoryCombo(m_parent, model, QSet<QString>(subtree.begin(), subtree.end()),
                      tr("(Top level)"));
    const int current = m_parent->findData(m_currentParent);
    if (current >= 0) {
        m_parent->setItemText(current, m_parent->itemText(current) + tr(" (current)"));
        m_parent->setCurrentIndex(current);
    }
    form()->addRow(tr("&Under:"), m_parent);
    setFieldWidget(QStringLiteral("parentId"), m_parent);
    okButton()->setText(tr("&Move"));
    connect(m_parent, &QComboBox::currentIndexChanged, this, &MoveCategoryDialog::updateOk);
    m_parent->setFocus();
    updateOk();
}

QString MoveCategoryDialog::parentId() const
{
    return m_parent->currentData().toString();
}

bool MoveCategoryDialog::isComplete() const
{
    return m_parent->currentIndex() >= 0 && parentId() != m_currentParent;
}

// ---- DeleteCategoryDialog

DeleteCategoryDialog::DeleteCategoryDialog(const CategoryTreeModel &model, const QString &id,
                                           QWidget *parent)
    : TaxonomyDialog(tr("Delete Category"), parent), m_reassign(new QComboBox(this)),
      m_reassignLabel(new QLabel(tr("&Move its items to:"), this))
{
    const Category *c = model.category(id);
    const QString parentId = c ? c->parentId : QString();
    const int items = c ? c->itemCount : 0;
    const int children = static_cast<int>(model.childIds(id).size());
    QString text = tr("Delete the category “%1”?").arg(model.pathOf(id));
    if (children > 0) {
        const Category *up = model.category(parentId);
        text +=
            QStringLiteral(" ") + (up ? tr("Its %1 will move up to “%2”.")
                                            .arg(taxonomytext::subcategories(children), up->name)
                                      : tr("Its %1 will move up to the top level.")
                                            .arg(taxonomytext::subcategories(children)));
    }
    if (items > 0) {
        text +=
            QStringLiteral(" ") +
            tr("It holds %1; choose the category they move to.").arg(taxonomytext::items(items));
    }
    m_reassign->setObjectName(QStringLiteral("reassignTo"));
    m_reassign->setAccessibleName(tr("Move the items to"));
    m_reassign->setToolTip(tr("The items in the deleted category are put in this one"));
    fillCategoryCombo(m_reassign, model, {id}, {});
    m_reassign->setCurrentIndex(qMax(0, m_reassign->findData(parentId)));
    if (items > 0 && m_reassign->count() == 0) {
        text += QStringLiteral(" ") +
                tr("Make another category first: the items need somewhere to go.");
    }
    setIntro(text);
    m_reassignLabel->setBuddy(m_reassign);
    form()->addRow(m_reassignLabel, m_reassign);
    setFieldWidget(QStringLiteral("reassignTo"), m_reassign);
    m_reassign->setVisible(items > 0);
    m_reassignLabel->setVisible(items > 0);

    okButton()->setText(tr("&Delete"));
    connect(m_reassign, &QComboBox::currentIndexChanged, this, &DeleteCategoryDialog::updateOk);
    updateOk();
}

QString DeleteCategoryDialog::reassignTo() const
{
    return m_reassign->isVisibleTo(this) ? m_reassign->currentData().toString() : QString();
}

void DeleteCategoryDialog::askForTarget()
{
    m_reassign->setVisible(true);
    m_reassignLabel->setVisible(true);
    m_reassign->setFocus();
    updateOk();
}

bool DeleteCategoryDialog::isComplete() const
{
    return !m_reassign->isVisibleTo(this) || m_reassign->currentIndex() >= 0;
}

// ---- TagNameDialog

TagNameDialog::TagNameDialog(const QString &title, const QString &intro, const QString &label,
                             const QString &initial, const QStringList &suggestions,
                             const QString &unchanged, QWidget *parent)
    : TaxonomyDialog(title, parent), m_name(new QLineEdit(this)), m_unchanged(unchanged)
{
    setIntro(intro);
    m_name->setObjectName(QStringLiteral("tagName"));
    m_name->setAccessibleName(tr("Tag name"));
    m_name->setPlaceholderText(tr("A tag, for example: travel"));
    m_name->setToolTip(tr("Tags are kept in lower case with single spaces"));
    m_name->setText(initial);
    m_name->selectAll();
    if (!suggestions.isEmpty()) {
        auto *completer = new QCompleter(suggestions, m_name);
        completer->setCaseSensitivity(Qt::CaseInsensitive);
        m_name->setCompleter(completer);
    }
    form()->addRow(label, m_name);
    setFieldWidget(QStringLiteral("to"), m_name);
    connect(m_name, &QLineEdit::textChanged, this, &TagNameDialog::updateOk);
    m_name->setFocus();
    updateOk();
}

QString TagNameDialog::tagName() const
{
    return m_name->text().simplified().toLower();
}

bool TagNameDialog::isComplete() const
{
    return !tagName().isEmpty() && tagName() != m_unchanged;
}

} // namespace colophon
