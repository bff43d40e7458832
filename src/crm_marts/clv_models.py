"""BG/NBD and Gamma-Gamma: maximum-likelihood fits and a reference scoring.

The marts score customers in SQL (customer_predictions, prediction_backtest), so
that DuckDB and Spark compute the same numbers; this module only FITS the models
(scipy) on a lifetimes-style summary (frequency, recency, T, monetary value) and
keeps the closed-form scores in Python as the reference the SQL is tested against.

- BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way"):
  while alive, a customer buys at rate lambda ~ Gamma(r, alpha); after each
  purchase they drop out with probability p ~ Beta(a, b).
- Gamma-Gamma (Fader & Hardie 2013, "The Gamma-Gamma model of monetary value"):
  the spend per purchase is Gamma(p, nu) with nu ~ Gamma(q, v) per customer, fitted
  on the repeat customers' mean repeat spend.

The likelihoods are those of lifetimes 0.11.3 (`BetaGeoFitter`,
`GammaGammaFitter`), with analytic gradients. Inputs may be grouped (`weights` =
customers per distinct row), as lifetimes allows, so a fit reads one row per
distinct (frequency, recency, T) instead of one per customer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special

BG_NBD_PARAMETERS = ("r", "alpha", "a", "b")
GAMMA_GAMMA_PARAMETERS = ("p", "q", "v")
# Fit statuses (prediction_parameters.status, customer_predictions.prediction_status).
OK = "ok"
TOO_LITTLE_DATA = "too_little_data"
NOT_CONVERGED = "not_converged"
INVALID_PARAMETERS = "invalid_parameters"
# A fitted parameter outside this range (time scaled so the oldest customer is 1)
# sits on the edge of the parameter space: the data do not identify the model.
PARAMETER_RANGE = (1e-6, 1e6)
# The BG/NBD expectation divides by a - 1 (a removable singularity) and its
# hypergeometric function has a pole where a + b - 1 = 0: the scoring does not
# special-case either, so a fit that lands on one is reported, not scored.
MIN_DISTANCE_FROM_A_POLE = 1e-6
GRADIENT_TOLERANCE = 1e-9
MAX_ITERATIONS = 1000


@dataclass(frozen=True)
class Fit:
    """One fitted model: what prediction_parameters publishes for it."""

    model: str
    status: str
    parameters: dict[str, float | None]
    log_likelihood: float | None
    customers: int
    repeat_customers: int
    is_converged: bool
    iterations: int
    message: str

    def as_var(self) -> dict[str, object]:
        """The fit as a dbt var: numbers as round-trip strings, so that YAML
        cannot misread them (PyYAML takes 1e-05 for a string) and DuckDB and Spark
        parse the same doubles from them."""

        def text(value: float | None) -> str | None:
            return None if value is None else repr(float(value))

        return {
            "status": self.status,
            "parameters": {k: text(v) for k, v in self.parameters.items()},
            "log_likelihood": text(self.log_likelihood),
            "customers": self.customers,
            "repeat_customers": self.repeat_customers,
            "is_converged": self.is_converged,
            "iterations": self.iterations,
            "message": self.message,
        }


def _as_arrays(*columns: ArrayLike) -> list[NDArray[np.float64]]:
    return [np.asarray(column, dtype=np.float64) for column in columns]


# --- BG/NBD -------------------------------------------------------------------


def bg_nbd_log_likelihood(
    params: ArrayLike, x: ArrayLike, t_x: ArrayLike, t: ArrayLike
) -> NDArray[np.float64]:
    """Log-likelihood of each customer's (x, t_x, T) under BG/NBD (r, alpha, a, b)."""
    r, alpha, a, b = (float(value) for value in np.asarray(params))
    x, t_x, t = _as_arrays(x, t_x, t)
    a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    a2 = (
        special.gammaln(a + b)
        + special.gammaln(b + x)
        - special.gammaln(b)
        - special.gammaln(a + b + x)
    )
    a3 = -(r + x) * np.log(alpha + t)
    a4 = np.log(a) - np.log(b + np.maximum(x, 1) - 1) - (r + x) * np.log(alpha + t_x)
    a4 = np.where(x > 0, a4, -np.inf)
    return a1 + a2 + np.logaddexp(a3, a4)


def _bg_nbd_objective(
    log_params: NDArray[np.float64],
    x: NDArray[np.float64],
    t_x: NDArray[np.float64],
    t: NDArray[np.float64],
    weights: NDArray[np.float64],
) -> tuple[float, NDArray[np.float64]]:
    """Mean negative log-likelihood over log-parameters, and its gradient."""
    r, alpha, a, b = np.exp(log_params)
    a3 = -(r + x) * np.log(alpha + t)
    a4 = np.log(a) - np.log(b + np.maximum(x, 1) - 1) - (r + x) * np.log(alpha + t_x)
    a4 = np.where(x > 0, a4, -np.inf)
    # Share of the likelihood that comes from "dropped out after the last purchase".
    share4 = np.exp(a4 - np.logaddexp(a3, a4))
    share3 = 1.0 - share4
    log_likelihood = bg_nbd_log_likelihood((r, alpha, a, b), x, t_x, t)
    d_r = (
        special.digamma(r + x)
        - special.digamma(r)
        + np.log(alpha)
        - share3 * np.log(alpha + t)
        - share4 * np.log(alpha + t_x)
    )
    d_alpha = r / alpha - (r + x) * (share3 / (alpha + t) + share4 / (alpha + t_x))
    d_a = special.digamma(a + b) - special.digamma(a + b + x) + share4 / a
    d_b = (
        special.digamma(a + b)
        + special.digamma(b + x)
        - special.digamma(b)
        - special.digamma(a + b + x)
        - share4 / (b + np.maximum(x, 1) - 1)
    )
    total = weights.sum()
    gradient = np.array(
        [
            r * np.dot(weights, d_r),
            alpha * np.dot(weights, d_alpha),
            a * np.dot(weights, d_a),
            b * np.dot(weights, d_b),
        ]
    )
    return -float(np.dot(weights, log_likelihood)) / total, -gradient / total


def fit_bg_nbd(
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
    weights: ArrayLike | None = None,
    min_repeat_customers: int = 1,
    model: str = "bg_nbd",
) -> Fit:
    """Maximum-likelihood BG/NBD on (frequency, recency, T) rows, in T's time unit.

    Fewer than min_repeat_customers customers with a repeat purchase: not fitted
    (too_little_data). Time is scaled so that the oldest customer's T is 1 while
    fitting (as lifetimes does), which keeps alpha near 1 for the optimizer.
    """
    x, t_x, t = _as_arrays(frequency, recency, age)
    w = np.ones_like(x) if weights is None else _as_arrays(weights)[0]
    customers = int(w.sum())
    repeat_customers = int(w[x > 0].sum())
    empty = dict.fromkeys(BG_NBD_PARAMETERS)
    if repeat_customers < max(min_repeat_customers, 1) or float(t.max(initial=0)) <= 0:
        return Fit(
            model,
            TOO_LITTLE_DATA,
            empty,
            None,
            customers,
            repeat_customers,
            False,
            0,
            f"{repeat_customers} repeat customers, fewer than the "
            f"{max(min_repeat_customers, 1)} needed",
        )
    scale = 1.0 / float(t.max())
    result = _minimize(_bg_nbd_objective, 4, (x, t_x * scale, t * scale, w))
    if isinstance(result, str):
        return Fit(
            model,
            NOT_CONVERGED,
            empty,
            None,
            customers,
            repeat_customers,
            False,
            0,
            f"BG/NBD: the fit failed: {result}",
        )
    scaled = np.exp(result.x)
    values = {
        "r": scaled[0],
        "alpha": scaled[1] / scale,
        "a": scaled[2],
        "b": scaled[3],
    }
    status, message = _judge(result, scaled, "BG/NBD")
    if status == OK and abs(values["a"] - 1.0) < MIN_DISTANCE_FROM_A_POLE:
        status, message = INVALID_PARAMETERS, "a = 1: the expectation is singular"
    if status == OK and abs(values["a"] + values["b"] - 1.0) < MIN_DISTANCE_FROM_A_POLE:
        status, message = INVALID_PARAMETERS, "a + b = 1: the expectation is singular"
    log_likelihood = float(
        np.dot(w, bg_nbd_log_likelihood(list(values.values()), x, t_x, t))
    )
    return Fit(
        model,
        status,
        {k: float(v) for k, v in values.items()} if status == OK else empty,
        log_likelihood if math.isfinite(log_likelihood) and status == OK else None,
        customers,
        repeat_customers,
        bool(result.success),
        int(result.nit),
        message,
    )


# --- Gamma-Gamma ----------------------------------------------------------------


def gamma_gamma_log_likelihood(
    params: ArrayLike, frequency: ArrayLike, monetary_value: ArrayLike
) -> NDArray[np.float64]:
    """Log-density of each repeat customer's mean spend m over x purchases."""
    p, q, v = (float(value) for value in np.asarray(params))
    x, m = _as_arrays(frequency, monetary_value)
    return (
        special.gammaln(p * x + q)
        - special.gammaln(p * x)
        - special.gammaln(q)
        + q * np.log(v)
        + (p * x - 1) * np.log(m)
        + p * x * np.log(x)
        - (p * x + q) * np.log(x * m + v)
    )


def _gamma_gamma_objective(
    log_params: NDArray[np.float64],
    x: NDArray[np.float64],
    m: NDArray[np.float64],
    weights: NDArray[np.float64],
) -> tuple[float, NDArray[np.float64]]:
    p, q, v = np.exp(log_params)
    log_likelihood = gamma_gamma_log_likelihood((p, q, v), x, m)
    psi_total = special.digamma(p * x + q)
    d_p = x * (psi_total - special.digamma(p * x) + np.log(m) + np.log(x))
    d_p -= x * np.log(x * m + v)
    d_q = psi_total - special.digamma(q) + np.log(v) - np.log(x * m + v)
    d_v = q / v - (p * x + q) / (x * m + v)
    total = weights.sum()
    gradient = np.array(
        [
            p * np.dot(weights, d_p),
            q * np.dot(weights, d_q),
            v * np.dot(weights, d_v),
        ]
    )
    return -float(np.dot(weights, log_likelihood)) / total, -gradient / total


def fit_gamma_gamma(
    frequency: ArrayLike,
    monetary_value: ArrayLike,
    weights: ArrayLike | None = None,
    min_repeat_customers: int = 1,
    model: str = "gamma_gamma",
) -> Fit:
    """Maximum-likelihood Gamma-Gamma on the repeat customers (frequency > 0,
    monetary value > 0; other rows are ignored). Money is scaled so that the mean
    spend is 1 while fitting; v is scaled back.

    Needs q > 1 for a finite expected spend (invalid_parameters otherwise). The
    model assumes spend independent of frequency; prediction_parameters publishes
    their correlation.
    """
    x, m = _as_arrays(frequency, monetary_value)
    w = np.ones_like(x) if weights is None else _as_arrays(weights)[0]
    keep = (x > 0) & (m > 0)
    x, m, w = x[keep], m[keep], w[keep]
    repeat_customers = int(w.sum())
    empty = dict.fromkeys(GAMMA_GAMMA_PARAMETERS)
    if repeat_customers < max(min_repeat_customers, 2):
        return Fit(
            model,
            TOO_LITTLE_DATA,
            empty,
            None,
            repeat_customers,
            repeat_customers,
            False,
            0,
            f"{repeat_customers} repeat customers with spend, fewer than the "
            f"{max(min_repeat_customers, 2)} needed",
        )
    scale = 1.0 / float(np.average(m, weights=w))
    result = _minimize(_gamma_gamma_objective, 3, (x, m * scale, w))
    if isinstance(result, str):
        return Fit(
            model,
            NOT_CONVERGED,
            empty,
            None,
            repeat_customers,
            repeat_customers,
            False,
            0,
            f"Gamma-Gamma: the fit failed: {result}",
        )
    scaled = np.exp(result.x)
    values = {"p": scaled[0], "q": scaled[1], "v": scaled[2] / scale}
    status, message = _judge(result, scaled, "Gamma-Gamma")
    if status == OK and values["q"] <= 1.0:
        status, message = INVALID_PARAMETERS, "q <= 1: the expected spend is infinite"
    log_likelihood = float(
        np.dot(w, gamma_gamma_log_likelihood(list(values.values()), x, m))
    )
    return Fit(
        model,
        status,
        {k: float(v) for k, v in values.items()} if status == OK else empty,
        log_likelihood if math.isfinite(log_likelihood) and status == OK else None,
        repeat_customers,
        repeat_customers,
        bool(result.success),
        int(result.nit),
        message,
    )


def _minimize(
    objective: Any, parameters: int, args: tuple[NDArray[np.float64], ...]
) -> optimize.OptimizeResult | str:
    """BFGS on the log-parameters from all ones; the error text if it fails."""
    try:
        return optimize.minimize(
            objective,
            np.zeros(parameters),
            args=args,
            jac=True,
            method="BFGS",
            options={"gtol": GRADIENT_TOLERANCE, "maxiter": MAX_ITERATIONS},
        )
    except (ArithmeticError, ValueError, np.linalg.LinAlgError) as exc:
        return str(exc)


def _judge(
    result: optimize.OptimizeResult, scaled: NDArray[np.float64], name: str
) -> tuple[str, str]:
    """ok, not_converged or invalid_parameters, with a message for the table."""
    if not np.all(np.isfinite(scaled)) or not math.isfinite(float(result.fun)):
        return INVALID_PARAMETERS, f"{name}: the fit left the finite numbers"
    gradient_norm = float(np.max(np.abs(result.jac)))
    low, high = PARAMETER_RANGE
    if np.any(scaled < low) or np.any(scaled > high):
        return (
            INVALID_PARAMETERS,
            f"{name}: a parameter ran to the edge of its range "
            f"({', '.join(f'{value:.3g}' for value in scaled)}, scaled): the data "
            "do not identify the model",
        )
    # BFGS stops with "precision loss" when the line search cannot improve on a
    # point that is already optimal to machine precision; a small gradient there
    # is convergence too.
    if not result.success and gradient_norm > 1e-6:
        return NOT_CONVERGED, f"{name}: {result.message} (gradient {gradient_norm:.2g})"
    return OK, f"{name}: converged in {result.nit} iterations"


# --- reference scoring (the SQL marts are tested against these) ---------------


def probability_alive(
    params: ArrayLike, x: ArrayLike, t_x: ArrayLike, t: ArrayLike
) -> NDArray[np.float64]:
    """P(alive | x, t_x, T): 1 for x = 0 (BG/NBD drops out only after a purchase)."""
    r, alpha, a, b = (float(value) for value in np.asarray(params))
    x, t_x, t = _as_arrays(x, t_x, t)
    log_odds = np.log(a / (b + np.maximum(x, 1) - 1)) + (r + x) * np.log(
        (alpha + t) / (alpha + t_x)
    )
    return np.where(x == 0, 1.0, special.expit(-log_odds))


def expected_purchases(
    params: ArrayLike, horizon: ArrayLike, x: ArrayLike, t_x: ArrayLike, t: ArrayLike
) -> NDArray[np.float64]:
    """E[purchases in (T, T + horizon] | x, t_x, T], equation (10) of Fader, Hardie
    & Lee (2005) with scipy's hyp2f1, as lifetimes computes it."""
    r, alpha, a, b = (float(value) for value in np.asarray(params))
    horizon, x, t_x, t = _as_arrays(horizon, x, t_x, t)
    z = horizon / (alpha + t + horizon)
    hypergeometric = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
    first = (a + b + x - 1) / (a - 1)
    second = 1 - hypergeometric * ((alpha + t) / (alpha + t + horizon)) ** (r + x)
    return first * second * probability_alive(params, x, t_x, t)


def expected_spend(
    params: ArrayLike, frequency: ArrayLike, monetary_value: ArrayLike
) -> NDArray[np.float64]:
    """Gamma-Gamma E[spend per purchase | x, m]: between the population mean
    p v / (q - 1) (x = 0) and the customer's own mean m (many purchases)."""
    p, q, v = (float(value) for value in np.asarray(params))
    x, m = _as_arrays(frequency, monetary_value)
    return p * (v + x * m) / (p * x + q - 1)


def customer_lifetime_value(
    bg_nbd_params: ArrayLike,
    gamma_gamma_params: ArrayLike,
    x: ArrayLike,
    t_x: ArrayLike,
    t: ArrayLike,
    monetary_value: ArrayLike,
    months: int,
    monthly_discount_rate: float,
    days_per_month: int = 30,
) -> NDArray[np.float64]:
    """lifetimes' customer_lifetime_value (time in days): the expected purchases of
    each 30-day month times the expected spend, discounted monthly."""
    spend = expected_spend(gamma_gamma_params, x, monetary_value)
    value = np.zeros_like(spend)
    previous = np.zeros_like(spend)
    for month in range(1, months + 1):
        cumulative = expected_purchases(
            bg_nbd_params, month * days_per_month, x, t_x, t
        )
        value += spend * (cumulative - previous) / (1 + monthly_discount_rate) ** month
        previous = cumulative
    return value
