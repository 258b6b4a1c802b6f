"""manage.py import_legacy PATH…: import saved pages of the old site (HTML or text, UTF-8 or GBK)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Site

from fulian.portal.legacy import LegacySkip
from fulian.portal.services import ImportReport, legacy_article_import

SUFFIXES = {".htm", ".html", ".asp", ".txt", ".shtml"}


class Command(BaseCommand):
    help = "从旧网站保存的页面（HTML 或文本，UTF-8 或 GBK）导入文章；重复运行只更新不重复。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("paths", nargs="+", help="文件或文件夹")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="直接发布（表示这批内容已完成保密审查）；默认导入为草稿，待审查后发布",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
        if site is None:
            raise CommandError("还没有网站首页：请先运行 load_demo 或在后台创建站点。")
        report = ImportReport()
        for path in self._files(options["paths"], report):
            try:
                data = path.read_bytes()
                outcome, article = legacy_article_import(
                    data=data, file_name=path.name, home=site.root_page, publish=options["publish"]
                )
            except LegacySkip as reason:
                report.skipped.append((str(path), str(reason)))
                self.stdout.write(self.style.WARNING(f"跳过 {path}：{reason}"))
                continue
            except OSError as error:
                report.skipped.append((str(path), f"无法读取：{error.strerror}"))
                self.stdout.write(self.style.WARNING(f"跳过 {path}：无法读取（{error.strerror}）"))
                continue
            getattr(report, outcome).append(str(path))
            verb = "新建" if outcome == "created" else "更新"
            self.stdout.write(f"{verb} {path} → 《{article.title}》")
        self.stdout.write(
            self.style.SUCCESS(
                f"完成：新建 {len(report.created)} 篇，更新 {len(report.updated)} 篇，跳过 {len(report.skipped)} 个文件。"
            )
        )

    def _files(self, names: list[str], report: ImportReport) -> list[Path]:
        files: list[Path] = []
        for name in names:
            path = Path(name)
            if path.is_dir():
                files += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
            elif path.exists():
                files.append(path)
            else:
                report.skipped.append((name, "文件不存在"))
                self.stdout.write(self.style.WARNING(f"跳过 {name}：文件不存在"))
        return files
