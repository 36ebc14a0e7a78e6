#!/usr/bin/env python3
"""Projects the quick suite's wall time on a quiet machine after issue 13's benchmark-side changes.

Inputs (files written by commands): ../compare-quick/report.md (the quick suite on 2026-11-27,
load 0.9 at the start, 7.5 min), quick-sample-before.json / quick-sample-after.json (time-jobs
--quick --steps 20, before and after, one sitting), quick-sample-with-fused-attention.json (the
same, minutes later, on this branch with wip/attn at fef32f7 applied: the fused attention),
worker-start.txt (worker-start.sh).
Method: the training phase's step time per (task, model) from the quiet report, times the steps
its seeds took (the steps to solve for a group solved by every seed, else the step limit: an upper
bound for partly solved groups), times the seeds; the transformer's part scaled by the CPU ratio
after / before of its sampled jobs; worker start-up saved = jobs x CPU saved per start / 2 lanes.
Prints the projection; run: python3 estimate.py > estimate.txt
"""
import json, os, re
here = os.path.dirname(os.path.abspath(__file__))
rows = []
for line in open(os.path.join(here, '..', 'compare-quick', 'report.md')):
    c = [x.strip() for x in line.strip().strip('|').split('|')]
    if len(c) == 10 and re.match(r'^\d+/\d+$', c[5]):
        rows.append(c)
limits = {'Adding problem': 2000, 'Delayed recall': 1000, 'Long-range context': 300, 'Character LM': 300, 'CO2 forecast': 200}
def steps(r):
    solved, total = map(int, r[5].split('/'))
    return int(r[6]) if solved == total and r[6].isdigit() else limits[r[0]]
seeds = 2
step_s = {m: 0.0 for m in ['RNN (tanh)', 'LSTM', 'GRU', 'IndRNN', 'Transformer']}
for r in rows:
    step_s[r[2]] += float(r[7]) / 1000 * steps(r) * seeds
before = json.load(open(os.path.join(here, 'quick-sample-before.json')))
after = json.load(open(os.path.join(here, 'quick-sample-after.json')))
cpu = lambda d, pick: sum(s['cpuMs'] for s in d['samples'] if pick(s)) / 1000
tf = lambda s: s['model'] == 'transformer'
ratio_tf = cpu(after, tf) / cpu(before, tf)
ratio_rec = cpu(after, lambda s: not tf(s)) / cpu(before, lambda s: not tf(s))
starts = open(os.path.join(here, 'worker-start.txt')).read()
ts = [float(a) + float(b) for a, b in re.findall(r'ts-node.*?([\d.]+) s user, ([\d.]+) s sys', starts)]
bundle = [float(a) + float(b) for a, b in re.findall(r'bundle.*?([\d.]+) s user, ([\d.]+) s sys', starts)]
jobs = 79
saved_start = jobs * (sum(ts) / len(ts) - sum(bundle) / len(bundle)) / 2
total_before = 7.5 * 60
print(f'quick suite before (report of 2026-11-27): {total_before:.0f} s wall')
print('training step time x steps x seeds, CPU-seconds, from that report: ' + ', '.join(f'{k} {v:.0f}' for k, v in step_s.items()))
print(f'sampled CPU after / before (one sitting, load ~20): transformer jobs {ratio_tf:.2f}, recurrent jobs {ratio_rec:.2f} (their code did not change: the spread is the noise)')
print(f'worker start-up CPU: ts-node {sum(ts)/len(ts):.2f} s, bundle {sum(bundle)/len(bundle):.2f} s; {jobs} jobs on 2 lanes save {saved_start:.0f} s wall')
saved_tf = step_s['Transformer'] * (1 - ratio_tf) / 2
print(f'transformer training saved on 2 lanes: {saved_tf:.0f} s')
print(f'projected quick suite: {total_before - saved_start - saved_tf:.0f} s = {(total_before - saved_start - saved_tf) / 60:.1f} min (before the fused attention; its transformer training alone is {step_s["Transformer"] * ratio_tf / 2:.0f} s on 2 lanes)')
merged = json.load(open(os.path.join(here, 'quick-sample-with-fused-attention.json')))
ratio_fa = cpu(merged, tf) / cpu(before, tf)
saved_fa = step_s['Transformer'] * (1 - ratio_fa) / 2
print(f'with the fused attention too: transformer jobs {ratio_fa:.2f} of before (recurrent jobs {cpu(merged, lambda s: not tf(s)) / cpu(before, lambda s: not tf(s)):.2f}); projected quick suite {total_before - saved_start - saved_fa:.0f} s = {(total_before - saved_start - saved_fa) / 60:.1f} min (transformer training {step_s["Transformer"] * ratio_fa / 2:.0f} s on 2 lanes, recurrent {sum(v for k, v in step_s.items() if k != "Transformer") / 2:.0f} s)')
