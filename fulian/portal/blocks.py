"""StreamField blocks of the portal's article body."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock


class CaptionedImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("图片"))
    caption = blocks.CharBlock(label=_("图片说明"), required=False, max_length=200)
    alt = blocks.CharBlock(
        label=_("替代文字"), required=False, max_length=200, help_text=_("供读屏软件朗读；留空则使用图片说明")
    )

    class Meta:
        icon = "image"
        label = _("图片")
        template = "portal/blocks/image.html"


class AttachmentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("附件"))
    title = blocks.CharBlock(label=_("显示名称"), required=False, max_length=200)

    class Meta:
        icon = "doc-full"
        label = _("附件")
        template = "portal/blocks/attachment.html"


class ArticleBodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(label=_("小标题"), max_length=120, template="portal/blocks/heading.html", icon="title")
    paragraph = blocks.RichTextBlock(
        label=_("段落"),
        features=["bold", "italic", "ol", "ul", "link", "document-link"],
    )
    image = CaptionedImageBlock()
    table = TableBlock(label=_("表格"), icon="table")
    attachment = AttachmentBlock()
