"""Reads about the competency framework, for pages, exports and the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import F, QuerySet

from essaim.framework.models import Competency, FrameworkVersion, Level


@dataclass(frozen=True)
class DescriptorCell:
    """What the competency expects at one level; `text` is empty when not written yet."""

    level: Level
    text: str


@dataclass
class CompetencyNode:
    competency: Competency
    depth: int
    parent_code: str | None
    descriptors: list[DescriptorCell]
    children: list[CompetencyNode] = field(default_factory=list)

    @property
    def descendants(self) -> list[CompetencyNode]:
        """Every node below this one, depth first, in the framework's order."""
        found: list[CompetencyNode] = []
        for child in self.children:
            found.append(child)
            found.extend(child.descendants)
        return found


@dataclass
class FrameworkTree:
    framework: FrameworkVersion
    levels: list[Level]
    roots: list[CompetencyNode]

    @cached_property
    def nodes(self) -> list[CompetencyNode]:
        """All competencies, depth first: parents before their children."""
        found: list[CompetencyNode] = []
        for root in self.roots:
            found.append(root)
            found.extend(root.descendants)
        return found


def framework_current() -> FrameworkVersion | None:
    """The latest published version, the one new courses and the public page use."""
    return FrameworkVersion.objects.published().select_related("based_on").order_by("-published_at", "-id").first()


def framework_published(*, version: str) -> FrameworkVersion | None:
    return FrameworkVersion.objects.published().select_related("based_on").filter(version=version).first()


def framework_versions(*, include_drafts: bool = False) -> QuerySet[FrameworkVersion]:
    """Versions, drafts first (work in progress), then the latest published first."""
    qs = FrameworkVersion.objects.all() if include_drafts else FrameworkVersion.objects.published()
    return qs.order_by(F("published_at").desc(nulls_first=True), "-id")


def framework_tree(*, framework: FrameworkVersion) -> FrameworkTree:
    """The levels and the competency tree with one descriptor cell per level.

    Three queries whatever the size of the tree: levels, competencies, descriptors.
    """
    levels = list(Level.objects.filter(framework=framework).order_by("rank"))
    competencies = list(
        Competency.objects.filter(framework=framework).order_by("position", "id").prefetch_related("descriptors")
    )
    by_id = {competency.pk: competency for competency in competencies}
    nodes: dict[int, CompetencyNode] = {}
    for competency in competencies:
        texts = {descriptor.level_id: descriptor.text for descriptor in competency.descriptors.all()}
        parent = by_id.get(competency.parent_id) if competency.parent_id else None
        nodes[competency.pk] = CompetencyNode(
            competency=competency,
            depth=0,
            parent_code=parent.code if parent else None,
            descriptors=[DescriptorCell(level=level, text=texts.get(level.pk, "")) for level in levels],
        )
    roots: list[CompetencyNode] = []
    for competency in competencies:
        node = nodes[competency.pk]
        if competency.parent_id in nodes:
            nodes[competency.parent_id].children.append(node)
        else:
            roots.append(node)
    tree = FrameworkTree(framework=framework, levels=levels, roots=roots)
    stack = [(root, 0) for root in roots]
    while stack:
        node, depth = stack.pop()
        node.depth = depth
        stack.extend((child, depth + 1) for child in node.children)
    return tree
