import csv, os, sys, datetime as dt
run = sys.argv[1]; log = "/tmp/study-yield.log"; day = "2026-12-03"
def t(s): return dt.datetime.fromisoformat(f"{day}T{s}")
pauses = []; start = None
for line in open(log):
    hh, what, pid = line.split()
    if pid != sys.argv[2]: continue
    if what == "paused": start = t(hh)
    elif what == "resumed" and start: pauses.append((start, t(hh))); start = None
if start: pauses.append((start, dt.datetime.now()))
seeds = sorted(x for x in os.listdir(os.path.join(run, "darts")) if x.startswith("seed") and os.path.isdir(os.path.join(run, "darts", x)))
first = open(os.path.join(run, "log.txt")).readline().split()[1:3]
begin = dt.datetime.fromisoformat(first[0] + "T" + first[1].rstrip("Z"))
for i, s in enumerate(seeds):
    d = os.path.join(run, "darts", s)
    rows = list(csv.DictReader(open(os.path.join(d, "darts_epochs.csv"))))
    end = dt.datetime.fromtimestamp(os.path.getmtime(os.path.join(d, "darts_epochs.csv")))
    secs = sum(float(r["seconds"]) for r in rows)
    begin_s = begin; begin = end
    paused = sum(max(0, (min(b, end) - max(a, begin_s)).total_seconds()) for a, b in pauses)
    print(f"{s} epochs {len(rows)} begin {begin_s:%H:%M:%S} end {end:%H:%M:%S} epoch_seconds {secs:.0f} paused {paused:.0f} unpaused {secs - paused:.0f} per_epoch {(secs - paused) / len(rows):.1f}")
