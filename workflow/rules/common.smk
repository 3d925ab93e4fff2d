# Helpers for the rules (Snakemake lint wants functions apart from rules): the effective config
# file every job reads, and input functions deciding which stages a sample has inputs for.


def quoted(paths):
    """Paths as one shell-safe string: sheet paths are user input and must never reach a shell raw."""
    return " ".join(shlex.quote(str(p)) for p in paths)


def _write_effective_config(path):
    """Jobs read the merged config from one file; rewrite only on change so reruns stay quiet."""
    text = "# written by the Snakefile: config/config.yaml merged with command-line overrides\n"
    text += yaml.safe_dump(dict(config), sort_keys=True)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if not os.path.exists(path) or open(path).read() != text:
        tmp = f"{path}.tmp"
        with open(tmp, "w") as fh:
            fh.write(text)
        os.replace(tmp, path)
    return path


CONFIG = _write_effective_config(f"{RESULTS}/.kinres/config.yaml")


def sample_of(wildcards):
    return SAMPLES[wildcards.sample]


def has_input(sample_id, column):
    return getattr(SAMPLES[sample_id], column) is not None


def stage_json(sample_id, stage):
    return f"{RESULTS}/{sample_id}/{stage}.json"


def stage_inputs(wildcards):
    """Stage JSONs interpret needs: a stage runs only when the sample has its input file."""
    sid = wildcards.sample
    stages = {}
    if has_input(sid, "vcf"):
        stages["variants"] = stage_json(sid, "variants")
    if has_input(sid, "fusions"):
        stages["fusions"] = stage_json(sid, "fusions")
    if has_input(sid, "cnv"):
        stages["cnv"] = stage_json(sid, "cnv")
    if has_input(sid, "bam"):
        stages["coverage"] = stage_json(sid, "coverage")
    return stages


def stage_flags(wildcards, input):
    return " ".join(f"--{name} {shlex.quote(str(getattr(input, name)))}"
                    for name in ("variants", "fusions", "cnv", "coverage") if name in input.keys())


def patient_stage_inputs(wildcards):
    """Stage JSONs (variants/fusions/cnv) of the patient's other samples: interpret states acquired vs
    pre-existing alterations and specimen discordance from them. Stage files only, never a sibling's
    report.json, so there is no dependency cycle between the samples of one patient."""
    me = SAMPLES[wildcards.sample]
    out = []
    for s in SAMPLES.values():
        if s.patient_id != me.patient_id or s.sample_id == me.sample_id:
            continue
        for column, stage in (("vcf", "variants"), ("fusions", "fusions"), ("cnv", "cnv")):
            if has_input(s.sample_id, column):
                out.append(stage_json(s.sample_id, stage))
    return out


def patient_flags(wildcards, input):
    paths = list(input.patient_stages)
    return f"--patient-stages {quoted(paths)}" if paths else ""


def patient_reports(wildcards):
    """report.json of the patient's other samples (serial timepoints for trend plots)."""
    me = SAMPLES[wildcards.sample]
    return [f"{RESULTS}/{s.sample_id}/report.json" for s in SAMPLES.values()
            if s.patient_id == me.patient_id and s.sample_id != me.sample_id]


def vcf_flag(wildcards):
    """`--vcf <input>` for the report's annotated-VCF copy; MAF inputs have no VCF to annotate."""
    vcf = sample_of(wildcards).vcf
    name = str(vcf).lower() if vcf else ""
    return f"--vcf {shlex.quote(str(vcf))}" if name.endswith((".vcf", ".vcf.gz", ".bcf")) else ""


def _coverage_inputs(wildcards):
    sample = sample_of(wildcards)
    inputs = {"bam": str(sample.bam)}
    if sample.vcf is not None:
        inputs["variants"] = stage_json(wildcards.sample, "variants")
    return inputs


def _report_outputs():
    outputs = {
        "html": f"{RESULTS}/{{sample}}/report.html",
        "alterations": f"{RESULTS}/{{sample}}/alterations.tsv",
        "drug_calls": f"{RESULTS}/{{sample}}/drug_calls.tsv",
    }
    if WRITE_PDF:
        outputs["pdf"] = f"{RESULTS}/{{sample}}/report.pdf"
    return outputs
