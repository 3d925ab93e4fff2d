# Small input functions shared by the rules: which stages a sample has inputs for.


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
    return " ".join(f"--{name} {getattr(input, name)}"
                    for name in ("variants", "fusions", "cnv", "coverage") if name in input.keys())


def patient_reports(wildcards):
    """report.json of the patient's other samples (serial timepoints for trend plots)."""
    me = SAMPLES[wildcards.sample]
    return [f"{RESULTS}/{s.sample_id}/report.json" for s in SAMPLES.values()
            if s.patient_id == me.patient_id and s.sample_id != me.sample_id]


def vcf_flag(wildcards):
    """`--vcf <input>` for the report's annotated-VCF copy; MAF inputs have no VCF to annotate."""
    vcf = sample_of(wildcards).vcf
    name = str(vcf).lower() if vcf else ""
    return f"--vcf {vcf}" if name.endswith((".vcf", ".vcf.gz", ".bcf")) else ""
