"""Hand-worked market model example, computed with plain Python (no numpy,
no eventstudy), following MacKinlay (1997) eqs. (7)-(13) literally.

Run:  python tests/reference/hand_market_model.py
Its printed output is pasted into tests/test_engine_reference.py.
"""

from math import sqrt

# Estimation window: relative days -6..-2 (5 returns); event span -1..+1.
rm_est = [0.01, -0.02, 0.015, 0.005, -0.01]
ri_est = [0.02, -0.03, 0.025, 0.004, -0.012]
rm_evt = [0.002, -0.015, 0.01]  # days -1, 0, +1
ri_evt = [0.001, -0.05, 0.02]

T = len(rm_est)
mean_m = sum(rm_est) / T
mean_i = sum(ri_est) / T
smm = sum((x - mean_m) ** 2 for x in rm_est)
smi = sum((x - mean_m) * (y - mean_i) for x, y in zip(rm_est, ri_est, strict=True))
beta = smi / smm
alpha = mean_i - beta * mean_m
resid = [y - alpha - beta * x for x, y in zip(rm_est, ri_est, strict=True)]
s2 = sum(e * e for e in resid) / (T - 2)
ar = [y - alpha - beta * x for x, y in zip(rm_evt, ri_evt, strict=True)]


def var_car(days):  # days: indexes into the event span
    L = len(days)
    dev = sum(rm_evt[d] - mean_m for d in days)
    return s2 * (L + L * L / T + dev * dev / smm)


print("alpha =", repr(alpha))
print("beta =", repr(beta))
print("s2 =", repr(s2))
print("ar =", [repr(a) for a in ar])
for name, days in (("(0, 0)", [1]), ("(-1, +1)", [0, 1, 2])):
    car = sum(ar[d] for d in days)
    v = var_car(days)
    print(name, "car =", repr(car), "var =", repr(v), "t =", repr(car / sqrt(v)))
