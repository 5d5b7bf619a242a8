# SPDX-License-Identifier: GPL-2.0
#
# cyclemodel.py - the cycle model of scripts/eval/cycle-model.tsv, shared by
# scripts/eval/bench-classes (per system call) and scripts/eval/app-classes
# (per application request). A MODEL, NOT A MEASUREMENT: it weighs the
# instruction counts of the insn-classes plugin with published costs.
#
# The cycles of a window's counts are its instructions, each weighed as an
# ordinary one (w cycles) or by its class, plus, per system call made with
# the SYSCALL instruction (or INT, SYSENTER), the transition T that SYSCALL
# and its return cost beyond ordinary instructions, plus in the "default"
# scenario what the CPU's default mitigations execute per kernel entry. T is
# not published on its own: it follows from one published whole null system
# call with mitigations off (the calibration) for the stock kernel's counted
# getppid, T = (W - path(stock)) / its system calls, and so is tied to w;
# w runs from the issue width's bound up to where T would fall below a
# function call. The range of an estimate is the least and the most over
# those ends.
#
# Counts ("o" below) are {"user": {CLASS: N}, "kernel": {CLASS: N}} as the
# plugin writes them, divided by whatever the caller counts per.
import re

LABEL = 'MODELLED cycles: a model from instruction counts and published weights, not a measurement'
ENTRY_KINDS = ('ring3', 'ring0', 'call')
# What the default mitigations of each CPU execute per kernel entry, by
# entry kind (Linux 6.12 and later, every mitigation built in, as in
# Debian's kernel): adder of cycle-model.tsv -> (times, entry kinds, only
# without kml=on). kml=on is refused while page table isolation is active
# (Documentation/arch/x86/kml.rst), so no KML mode has PTI. The direct call
# applies IBRS, return untraining and BHB clearing like the syscall entry,
# and skips VERW and the CR3 switch (patches/0007, kml.rst "Mitigations").
POLICY = {
	'skylake': {'pti-cr3': (2, {'ring3'}, True),
		    'ibrs': (1, {'ring3', 'ring0', 'call'}, False),
		    'verw': (1, {'ring3', 'ring0'}, False),
		    'bhb-clear': (1, {'ring3', 'ring0', 'call'}, False)},
	'zen2': {'srso-untrain': (1, {'ring3', 'ring0', 'call'}, False)},
}


def num(v):
	return None if v == '-' else float(v)


def total(o, c=None):
	if c is None:
		return sum(o['user'].values()) + sum(o['kernel'].values())
	return o['user'].get(c, 0) + o['kernel'].get(c, 0)


def syscalls(o):
	return sum(total(o, c) for c in ('syscall', 'int', 'sysenter'))


def rng(v):
	return f'{v[0]:.0f}-{v[1]:.0f}' if round(v[0]) != round(v[1]) else f'{v[0]:.0f}'


class Model:
	"""The weights of model_file and, after calibrate(), the range of w and T
	of every microarchitecture. data is what goes into the JSON outputs."""

	def __init__(self, model_file):
		self.data = {'label': LABEL, 'file': 'scripts/eval/cycle-model.tsv', 'weights': [],
			     'uarchs': {}, 'modes': {}, 'validation': [], 'errors': []}
		self.errors = self.data['errors']
		try:
			for ln, line in enumerate(open(model_file), 1):
				if line.startswith('#') or not line.strip():
					continue
				f = line.rstrip('\n').split('\t')
				if len(f) != 7 or not f[6].strip():
					self.errors.append(f'{model_file}:{ln}: want 7 tab-separated fields, the last a source')
					continue
				if not all(re.fullmatch(r'-|[0-9]+(\.[0-9]+)?', v) for v in f[3:5]):
					self.errors.append(f'{model_file}:{ln}: low and high must be numbers or "-"')
					continue
				self.data['weights'].append(dict(zip(('kind', 'name', 'uarch', 'low', 'high',
								      'unit', 'source'), f)))
		except OSError as e:
			self.errors.append(str(e))
		self.W = self.data['weights']
		self.uarchs = [r['name'] for r in self.W if r['kind'] == 'uarch']
		self.stock_null = None

	def rows(self, kind, u, name=None):
		return [r for r in self.W if r['kind'] == kind and r['uarch'] == u and
			(name is None or r['name'] == name)]

	def path(self, o, u, w, end):
		"""Cycles of the counted instructions: classes with a weight of their
		own at the low or high end, the rest at w per instruction."""
		cyc, plain = 0.0, total(o)
		for r in self.rows('class', u):
			n = total(o, r['name'])
			v = num(r['low' if end == 0 else 'high'])
			if n and v is not None:
				cyc += n * v
				plain -= n
		return cyc + plain * w

	def lfence_w(self, u, w):
		r = self.rows('class', u, 'lfence')
		return (num(r[0]['low']), num(r[0]['high'])) if r and num(r[0]['low']) is not None else (w, w)

	def adder_cycles(self, u, name, w, end):
		c = 0.0
		for r in self.rows('adder', u, name):
			lo, hi = num(r['low']), num(r['high'])
			if r['unit'] == 'instructions':
				c += lo * w
			elif r['unit'] == 'lfence':
				c += lo * self.lfence_w(u, w)[end]
			else:
				c += (w if lo is None else lo) if end == 0 else (w if hi is None else hi)
		return c

	def calibrate(self, stock_null=None):
		"""Derive w and T of every microarchitecture from the stock kernel's
		counted getppid (stock_null: its counts per call), or, when it did
		not run, from the recorded count of the "reference" row."""
		calibrated_on = 'this run'
		if not stock_null or not syscalls(stock_null):
			# The stock kernel did not run: its recorded count, all of it
			# ordinary instructions, one system call.
			ref = [r for r in self.W if r['kind'] == 'reference' and r['name'] == 'stock-getppid']
			if ref:
				stock_null = {'user': {}, 'kernel': {'other': num(ref[0]['low']) - 1, 'syscall': 1}}
				calibrated_on = 'recorded count: the stock kernel did not run'
		self.stock_null = stock_null
		for u in self.uarchs:
			try:
				wlo = num(self.rows('plain', u)[0]['low'])
				cal = self.rows('calibration', u)[0]
				Wc = (num(cal['low']), num(cal['high']))
				tmin = num(self.rows('floor', u)[0]['low'])
			except (IndexError, ValueError) as e:
				self.errors.append(f'{u}: incomplete weights: {e}')
				continue
			ua = {'name': next(r['source'] for r in self.W if r['kind'] == 'uarch' and r['name'] == u),
			      'calibration': list(Wc), 'transition_floor': tmin, 'calibrated_on': calibrated_on,
			      'notes': [r['source'] for r in self.rows('note', u)]}
			self.data['uarchs'][u] = ua
			if not stock_null or not syscalls(stock_null):
				ua['status'] = 'no calibration: the stock kernel did not run'
				continue
			# The stock getppid must cost W: path(w) + n * T = W with
			# T >= tmin, so w can grow until T reaches tmin at the lower W.
			n = syscalls(stock_null)
			plain = self.path(stock_null, u, 1.0, 0) - self.path(stock_null, u, 0.0, 0)
			whi = (Wc[0] - tmin * n - self.path(stock_null, u, 0.0, 1)) / plain
			if whi < wlo:
				ua['status'] = (f'calibration inconsistent: the stock path at {wlo} cycles per '
						f'instruction already exceeds {Wc[0]} cycles')
				self.errors.append(f'{u}: {ua["status"]}')
				whi = wlo
			ua.update(status='ok', plain=[wlo, whi], calibration_instructions=total(stock_null),
				  calibration_syscalls=n)
			corners = [(w, e, Wx) for w in (wlo, whi) for e in (0, 1) for Wx in set(Wc)]
			ua['transition'] = [min((Wx - self.path(stock_null, u, w, e)) / n for w, e, Wx in corners),
					    max((Wx - self.path(stock_null, u, w, e)) / n for w, e, Wx in corners)]
			ua['_corners'] = corners

	def ok(self):
		"""The calibrated microarchitectures."""
		return [u for u, ua in self.data['uarchs'].items() if ua.get('status') == 'ok']

	def estimate(self, o, kml, entries, transitions, u, scenario):
		"""[low, high] cycles of counts o on microarchitecture u in scenario
		"off", "default" or "pti": entries maps the entry kinds of
		ENTRY_KINDS to kernel entries of that kind, transitions is the
		number of SYSCALL round trips (each pays T); kml: booted with
		kml=on (no PTI)."""
		ua = self.data['uarchs'][u]
		adders = {}
		if scenario != 'off':
			for name, (times, kinds, nokml) in POLICY.get(u, {}).items():
				if scenario == 'pti' and name != 'pti-cr3':
					continue
				if nokml and kml:
					continue
				k = sum(times * n for kind, n in entries.items() if kind in kinds and n)
				if k:
					adders[name] = k
		vals = []
		for w, e, Wx in ua['_corners']:
			T = (Wx - self.path(self.stock_null, u, w, e)) / ua['calibration_syscalls']
			c = self.path(o, u, w, e) + transitions * T
			c += sum(k * self.adder_cycles(u, name, w, e) for name, k in adders.items())
			vals.append(c)
		return {'cycles': [min(vals), max(vals)], 'transitions': transitions, 'adders': adders}

	def weights_md(self):
		"""Markdown: the weights, w and T of each microarchitecture, and which
		default mitigation runs on which kind of entry."""
		md = []
		if self.errors:
			md += ['Model table errors: ' + '; '.join(self.errors), '']
		md += ['### Weights', '', '| kind | name | uarch | low | high | unit | source |',
		       '|---|---|---|---|---|---|---|']
		for r in self.W:
			md.append('| ' + ' | '.join(r[k] for k in ('kind', 'name', 'uarch', 'low', 'high',
								   'unit', 'source')) + ' |')
		md += ['', '| uarch | w (cycles per ordinary instruction) | T (cycles per SYSCALL round trip) | calibrated on |',
		       '|---|---:|---:|---|']
		for u, ua in self.data['uarchs'].items():
			if ua.get('status') == 'ok':
				md.append(f'| {u} | {ua["plain"][0]:.2f}-{ua["plain"][1]:.2f} | {rng(ua["transition"])} | '
					  f'{rng(ua["calibration"])} cycles, stock getppid of '
					  f'{ua["calibration_instructions"]:.0f} instructions ({ua["calibrated_on"]}) |')
			else:
				md.append(f'| {u} | - | - | {ua.get("status")} |')
		md += ['', 'Default mitigations, per kernel entry (n: times per entry; KML modes never',
		       'have PTI: `kml=on` is refused with it):', '',
		       '| uarch | adder | n | SYSCALL from ring 3 | SYSCALL from ring 0 | direct call |',
		       '|---|---|---:|---|---|---|']
		for u, pol in POLICY.items():
			for name, (times, kinds, nokml) in pol.items():
				md.append(f'| {u} | {name} | {times} | ' + ' | '.join(
					('yes' + (' (not with kml=on)' if nokml else '')) if k in kinds else 'no'
					for k in ENTRY_KINDS) + ' |')
		return md

	def json(self):
		"""data without the internal corners."""
		for ua in self.data['uarchs'].values():
			ua.pop('_corners', None)
		return self.data
