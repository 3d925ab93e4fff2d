"""Copy-number records of a VCF/BCF (CNVkit export, DRAGEN CNV) via pysam."""

from __future__ import annotations

import math
from pathlib import Path

from kinres.errors import InputError
from kinres.io import opener
from kinres.io.cnv_model import CnObservation, CnvLayout, CnvTable
from kinres.io.cnv_values import (
    _number,
    _pick_sample,
)
from kinres.models import SourceRef

# --------------------------------------------------------------------------- VCF
_CNV_ALTS = {"<DUP>", "<DEL>", "<CNV>", "<DUP:TANDEM>", "<GAIN>", "<LOSS>", "<AMP>"}


def _read_vcf(path: Path, sample_id: str | None, pass_only: bool) -> CnvTable:
    with opener.htslib_readable(path, "copy-number VCF") as readable:
        return _read_vcf_file(path, readable, sample_id, pass_only)


def _read_vcf_file(path: Path, readable: Path, sample_id: str | None,
                   pass_only: bool) -> CnvTable:
    import pysam  # local: only VCF inputs need it

    try:
        vf = pysam.VariantFile(str(readable))
    except (OSError, ValueError, NotImplementedError) as exc:
        raise InputError(path, f"cannot open VCF: {exc}") from None
    with vf:
        samples = list(vf.header.samples)
        sample = _pick_sample(path, samples, sample_id, "the VCF") if samples else None
        # DRAGEN somatic CNV writes its purity estimate into the header: CN is then the
        # tumour's own copy number and must not be purity-adjusted a second time.
        tumour_absolute = any(r.key and "EstimatedTumorPurity" in r.key
                              for r in vf.header.records)
        has_info = set(vf.header.info)
        has_fmt = set(vf.header.formats)
        obs, filtered, non_cnv = [], 0, 0
        line = _vcf_header_lines(path, vf)
        try:
            for rec in vf:
                line += 1
                alts = rec.alts or ()
                svtype = rec.info.get("SVTYPE") if "SVTYPE" in has_info else None
                is_ref_block = not alts or alts == ("<NON_REF>",)
                if not (svtype in ("DUP", "DEL", "CNV") or is_ref_block
                        or any(a in _CNV_ALTS for a in alts)):
                    non_cnv += 1
                    continue
                if pass_only and list(rec.filter) not in ([], ["PASS"]):
                    filtered += 1
                    continue
                obs.append(_vcf_observation(path, line, rec, sample, has_info, has_fmt,
                                            tumour_absolute))
        except (OSError, ValueError) as exc:
            raise InputError(path, f"malformed VCF record: {exc}", line=line + 1) from None
    warnings = []
    if filtered:
        warnings.append(f"{path.name}: {filtered} CNV record(s) not PASS, not used")
    if non_cnv:
        warnings.append(f"{path.name}: {non_cnv} non-CNV record(s) ignored")
    return CnvTable(path, CnvLayout.VCF, tuple(obs), sample_column=sample,
                    warnings=tuple(warnings))


def _vcf_header_lines(path: Path, vf) -> int:
    """Header lines as written (pysam's copy gains lines it adds itself); BCF: its header."""
    if opener.sniff(path, "copy-number VCF").bcf:
        return len(str(vf.header).splitlines())
    n = 0
    for n, text in opener.iter_lines(path, "copy-number VCF"):
        if not text.startswith("#"):
            return n - 1
    return n


def _vcf_observation(path, line, rec, sample, has_info, has_fmt, tumour_absolute):
    record = rec.id or f"{rec.chrom}:{rec.pos}"
    end = rec.stop  # pysam: INFO/END when present, else POS + len(REF) - 1
    symbolic = bool(rec.alts) and all(a.startswith("<") for a in rec.alts)
    # symbolic SV records carry the padding base at POS; the event starts one base later
    start = rec.pos + 1 if symbolic else rec.pos
    if end < start:
        raise InputError(path, f"END {end} is before start {start}", line=line, record=record)
    fmt = rec.samples[sample] if sample is not None else None

    def value(key: str, where: str):
        if where == "format" and fmt is not None and key in has_fmt:
            v = fmt.get(key)
        elif where == "info" and key in has_info:
            v = rec.info.get(key)
        else:
            return None
        if isinstance(v, tuple):
            v = v[0] if v else None
        return v

    cn = value("CN", "format")
    if cn is None:
        cn = value("CN", "info")
    log2 = value("FOLD_CHANGE_LOG", "info")
    if log2 is None:
        log2 = value("LOG2", "info")
    if log2 is None and cn is None:
        sm = value("SM", "format")  # DRAGEN: linear copy ratio of the segment
        if sm is not None:
            if sm <= 0:
                raise InputError(path, f"FORMAT/SM {sm} is not a positive copy ratio",
                                 line=line, record=record)
            log2 = math.log2(sm)
    if cn is None and log2 is None:
        raise InputError(path, "CNV record has no CN (FORMAT or INFO), FOLD_CHANGE_LOG, LOG2 "
                               "or SM value", line=line, record=record)
    if cn is not None:
        cn = _number(path, line, "CN", str(cn), allow_negative=False, record=record)
    else:
        log2 = _number(path, line, "log2", str(log2), allow_negative=True, record=record)
    return CnObservation(source=SourceRef(str(path), line), chrom=rec.chrom, start=start,
                         end=end, copy_number=cn, log2=None if cn is not None else log2,
                         tumour_absolute=tumour_absolute)
