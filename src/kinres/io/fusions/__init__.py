"""Fusion ingestion: one reader per caller, format detection, and `read_fusions`.

Readers turn each caller's own file into kinres.models.Fusion records with breakpoints, partners
(5'/3'), support and whatever the caller says about frame and artefacts; exon structure, frame
computation and the actionability gate are added by kinres.annotate.fusion_structure.
"""

from __future__ import annotations

from pathlib import Path

from kinres.enums import Build, FusionFormat
from kinres.errors import InputError
from kinres.io.fusions import arriba, dragen, fusioncatcher, generic, star_fusion, sv_vcf
from kinres.io.fusions.detect import PCGR, detect_format
from kinres.io.fusions.settings import Settings
from kinres.io.fusions.table import FusionReadResult

__all__ = ["FusionReadResult", "Settings", "detect_format", "read_fusions"]


def read_fusions(path: str | Path, fmt: FusionFormat | str | None, build: Build, *,
                 sample_name: str | None = None, settings: Settings | None = None,
                 panel=None) -> FusionReadResult:
    """Read one fusion file; `fmt` None detects the format from the header.

    `sample_name` picks the tumour column of a multi-sample SV VCF; `panel` (a
    kinres.annotate.transcripts.Panel) is only needed for SV VCFs and is loaded when omitted.
    """
    path = Path(path)
    settings = settings or Settings()
    build = Build(build)
    if not path.is_file():
        raise InputError(path, "fusion file not found")
    if fmt is None:
        name = detect_format(path)
    else:
        try:
            name = FusionFormat(fmt).value
        except ValueError:
            raise InputError(path, f"fusion_format {fmt!r} is not one of "
                             + ", ".join(f.value for f in FusionFormat)) from None
    if name == FusionFormat.ARRIBA.value:
        return arriba.parse(path, build)
    if name == FusionFormat.STAR_FUSION.value:
        return star_fusion.parse(path, build, settings.star_fusion_artefact_tags)
    if name == FusionFormat.FUSIONCATCHER.value:
        return fusioncatcher.parse(path, build, settings.fusioncatcher_artefact_tags)
    if name == FusionFormat.DRAGEN.value:
        genes = panel.genes if panel is not None else _panel_genes(build)
        return dragen.parse(path, build, panel_genes=frozenset(genes))
    if name == FusionFormat.SV_VCF.value:
        return sv_vcf.parse(path, build, sample_name=sample_name,
                            pass_only=settings.sv_pass_only, panel=panel)
    if name == FusionFormat.GENERIC.value:
        # an explicit "generic" also covers the PCGR table, which detection tells apart
        if fmt is not None and detect_format(path) == PCGR:
            return generic.parse_pcgr(path, build)
        return generic.parse(path, build)
    if name == PCGR:
        return generic.parse_pcgr(path, build)
    raise InputError(path, f"unsupported fusion format {name!r}")  # pragma: no cover


def _panel_genes(build: Build) -> tuple[str, ...]:
    try:
        from kinres.annotate.transcripts import Panel

        return Panel.load(build).genes
    except Exception:  # noqa: BLE001 - gene choice at multi-gene breakpoints only; first name used
        return ()
