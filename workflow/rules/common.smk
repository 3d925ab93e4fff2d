# Helpers for the rules (Snakemake lint wants functions apart from rules): the effective config
# and per-sample row files every job reads, the job layout (patients, PDF batches), and the
# batch summary written when a sample failed.

from kinres.io.sample_row import input_signature, row_path, warnings_by_line, write_row


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
# `--reuse-dir <folder>` per kind of job (already shell-quoted), or nothing (config reuse_outputs)
REUSE_ARGS = {kind: (f"--reuse-dir {shlex.quote(f'{RESULTS}/.kinres/reuse/{kind}')}"
                     if SETTINGS.reuse_outputs else "") for kind in ("samples", "pdf")}


def sample_files(sid):
    """The sample's data files (sheet paths). Not declared as job inputs: their sizes and times
    are in the row file (input_signature), so a replaced file still reruns the patient."""
    return [str(p) for p in SAMPLES[sid].inputs()]


def patient_baselines(sids):
    """Baselines given as an earlier report.json (not a sample of this sheet): declared inputs,
    so one produced by this workflow orders the jobs."""
    files = []
    for sid in sids:
        baseline = getattr(SAMPLES[sid], "baseline", None)
        if baseline and str(baseline).lower().endswith(".json") and baseline not in SAMPLES:
            files.append(str(baseline))
    return list(dict.fromkeys(files))


def _write_rows():
    """One JSON per sample, rewritten only when its row changed: editing one row reruns only
    that sample's patient (and the batch), and no job re-reads the whole sheet."""
    rows = {}
    by_line = warnings_by_line(SHEET.warnings)  # once: per row it was O(rows x warnings)
    for sid, sample in SAMPLES.items():
        rows[sid] = str(row_path(RESULTS, sid))
        line = sample.source.line if sample.source else None
        write_row(sample, rows[sid], by_line.get(line, ()) if line else (),
                  inputs=input_signature(sample_files(sid)))
    return rows


ROWS = _write_rows()


def _rule_names(prefix, keys):
    """Valid, unique rule names for free-text keys (patient IDs may hold '.' and '-')."""
    names, used = {}, set()
    for key in keys:
        name = f"{prefix}_{re.sub(r'[^A-Za-z0-9_]', '_', str(key))}"
        base, n = name, 1
        while name in used:
            n += 1
            name = f"{base}_{n}"
        used.add(name)
        names[key] = name
    return names


def forget_rule_functions(names):
    """Drop the `__<rule>` function Snakemake stores in the Snakefile's globals per rule.
    Snakemake copies those globals every time it formats a job's shell command (dry-run listing,
    running), so with one generated rule per patient that is O(jobs x rules): 47 of 70 CPU-s of
    `snakemake -n` at 5,000 samples. Each rule keeps its function (rule.run_func); nothing
    looks the names up."""
    namespace = globals()
    for name in names:
        namespace.pop(f"__{name}", None)


def stage_outputs(sid):
    """Stage JSONs `kinres sample` writes: one per input the sample has."""
    sample = SAMPLES[sid]
    stages = [stage for stage, column in (("variants", "vcf"), ("fusions", "fusions"),
                                          ("cnv", "cnv"), ("coverage", "bam"))
              if getattr(sample, column) is not None]
    return [f"{RESULTS}/{sid}/{stage}.json" for stage in stages]


def patient_outputs(sids):
    return [f"{RESULTS}/{sid}/{name}" for sid in sids for name in PER_SAMPLE] + \
        [path for sid in sids for path in stage_outputs(sid)]


def _pdf_batches():
    """Samples split into PDF jobs of about pdf_per_job, by a stable hash of the sample ID
    (editing or adding one row does not move the other samples between jobs unless the
    number of jobs changes). At least two jobs when possible, so two cores are used."""
    n = len(SAMPLES)
    k = max(min(n, 2), math.ceil(n / SETTINGS.pdf_per_job))
    batches = {}
    for sid in SAMPLES:
        batches.setdefault(zlib.crc32(sid.encode()) % k, []).append(sid)
    return dict(sorted(batches.items()))


PDF_BATCHES = _pdf_batches() if WRITE_PDF else {}


def _patient_jobs():
    """Job name -> sample IDs: one job per patient, or (patients_per_job > 1, or auto for a
    large batch) patients grouped by a stable hash of the patient ID; a patient's samples always
    share a job."""
    k = SETTINGS.patient_job_count(len(PATIENTS))
    if k is None:
        names = _rule_names("patient", PATIENTS)
        return {names[pid]: {"label": pid, "samples": sids} for pid, sids in PATIENTS.items()}
    jobs = {}
    for pid, sids in PATIENTS.items():
        n = zlib.crc32(pid.encode()) % k
        job = jobs.setdefault(f"patients_{n}", {"label": f"patients_{n}", "samples": []})
        job["samples"].extend(sids)
    return dict(sorted(jobs.items()))


PATIENT_JOBS = _patient_jobs()


def write_partial_batch():
    """onerror: the batch summary over the reported samples plus the failed ones (FAILED.json),
    so a failing sample never costs the batch its summary, MultiQC table or failed list."""
    import subprocess

    reports = [f"{RESULTS}/{sid}/report.json" for sid in SAMPLES]
    reports = [p for p in reports if os.path.exists(p) and not
               os.path.exists(os.path.join(os.path.dirname(p), "FAILED.json"))]
    failed = [f"{RESULTS}/{sid}/FAILED.json" for sid in SAMPLES
              if os.path.exists(f"{RESULTS}/{sid}/FAILED.json")]
    not_run = [sid for sid in SAMPLES
               if not os.path.exists(f"{RESULTS}/{sid}/report.json")
               and not os.path.exists(f"{RESULTS}/{sid}/FAILED.json")]
    if not reports and not failed:
        return
    os.makedirs(f"{LOGS}/batch", exist_ok=True)
    # a failed sample keeps its PDF batch from running: render the reported samples' PDFs here
    # (same command and bytes as the pdf rule; the next run's pdf job rewrites them identically)
    missing_pdf = [os.path.join(os.path.dirname(p), "report.html") for p in reports]
    missing_pdf = [h for h in missing_pdf if WRITE_PDF and os.path.exists(h)
                   and not os.path.exists(os.path.join(os.path.dirname(h), "report.pdf"))]
    if missing_pdf:
        pdf = subprocess.run(["kinres", "pdf", "--html", *missing_pdf,
                              *shlex.split(REUSE_ARGS["pdf"])], capture_output=True, text=True)
        with open(f"{LOGS}/batch/pdf_held_back.log", "w") as fh:
            fh.write(pdf.stdout + pdf.stderr)
    cmd = ["kinres", "batch", "--config", CONFIG, "--outdir", f"{RESULTS}/batch",
           "--reports", *reports, "--failed", *failed]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    with open(f"{LOGS}/batch/batch.log", "w") as fh:
        fh.write(proc.stdout + proc.stderr)
    names = []
    for path in failed:
        try:
            from kinres.failure import read_failure

            f = read_failure(path)
            names.append(f"  {f.sample_id}: {f.message}")
        except (OSError, ValueError, KeyError):
            names.append(f"  {path}")
    print(f"kinres: {len(failed)} sample(s) failed and have no report:", file=sys.stderr)
    print("\n".join(names), file=sys.stderr)
    if not_run:
        print(f"kinres: {len(not_run)} sample(s) not run (stopped before them): "
              f"{', '.join(not_run[:20])}{' ...' if len(not_run) > 20 else ''}", file=sys.stderr)
    where = "written" if proc.returncode == 0 else f"NOT written (see {LOGS}/batch/batch.log)"
    print(f"kinres: batch summary with the failed samples {where}: {RESULTS}/batch/summary.html, "
          f"failed_samples.tsv, kinres_mqc.tsv", file=sys.stderr)
