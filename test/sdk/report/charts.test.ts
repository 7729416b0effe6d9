/**
 * The "revenue per active node and utilization over time" layout (src/report/render/charts.ts) on
 * hand-made economics lines: what each epoch draws (bar, point, colour), the gaps a voided epoch or
 * an unknown utilization leaves in the line, the right axis past 100%, and one chart per network.
 */
import { expect } from "chai";

import { NO_DATA, Primitive, STATUS_FILL, reportCharts, revenueUtilizationChart } from "../../../src/report/render/charts";
import type { EconomicsLine, EconomicsReport } from "../../../src/report/types";

const TOKEN = { address: "0x3000000000000000000000000000000000000003", symbol: "mUSD", decimals: 6 };

type LineFields = Pick<EconomicsLine, "networkId" | "epoch" | "status" | "activeNodes" | "revenuePerActiveNode" | "utilizationBps"> & Partial<EconomicsLine>;

function line(f: LineFields): EconomicsLine {
  const zero = "0";
  return {
    version: 1,
    recordCount: f.activeNodes,
    totalWorkUnits: zero,
    totalRevenue: zero,
    capacityPerNode: "3600",
    topNodes: 1,
    topNodesRevenue: null,
    concentrationBps: null,
    postedRevenue: zero,
    refunded: zero,
    settledRevenue: zero,
    settledFee: zero,
    settledNet: zero,
    revenueBackedBps: null,
    settlementProven: true,
    bondsForfeited: zero,
    payoutAllocated: null,
    ...f,
  } as EconomicsLine;
}

function report(lines: EconomicsLine[]): EconomicsReport {
  return { kind: "economics", manifest: {} as EconomicsReport["manifest"], parameters: {} as EconomicsReport["parameters"], tokens: [TOKEN], totals: {} as EconomicsReport["totals"], lines };
}

const rects = (ps: Primitive[], series: string) => ps.filter((p): p is Extract<Primitive, { t: "rect" }> => p.t === "rect" && p.data?.series === series);
const polylines = (ps: Primitive[], stroke: string) => ps.filter((p): p is Extract<Primitive, { t: "line" }> => p.t === "line" && p.stroke === stroke);

describe("revenue per active node and utilization chart", function () {
  const lines = [
    line({ networkId: 1, epoch: 0, status: "final", activeNodes: 4, revenuePerActiveNode: "100000000", utilizationBps: 8_000 }),
    line({ networkId: 1, epoch: 1, status: "final", activeNodes: 4, revenuePerActiveNode: "50000000", utilizationBps: 12_500 }),
    line({ networkId: 1, epoch: 2, status: "voided", activeNodes: 4, revenuePerActiveNode: "90000000", utilizationBps: 7_000 }),
    line({ networkId: 1, epoch: 3, status: "challenged", activeNodes: 4, revenuePerActiveNode: "80000000", utilizationBps: 7_500 }),
    line({ networkId: 1, epoch: 4, status: "pending", activeNodes: 0, revenuePerActiveNode: null, utilizationBps: null }),
    line({ networkId: 1, epoch: 5, status: "pending", activeNodes: 5, revenuePerActiveNode: "75000000", utilizationBps: 9_000 }),
  ];

  it("draws one bar per epoch, coloured by status, its height the revenue per active node in token units", function () {
    const c = revenueUtilizationChart(report(lines))!;
    const bars = rects(c.primitives, "revenuePerActiveNode");
    expect(bars.map((b) => b.data!.epoch)).to.deep.equal(["0", "1", "2", "3", "4", "5"]);
    expect(bars.map((b) => b.fill)).to.deep.equal([STATUS_FILL.final, STATUS_FILL.final, NO_DATA, STATUS_FILL.challenged, STATUS_FILL.pending, STATUS_FILL.pending]);
    // heights proportional to the amounts (100 : 50 : 90 : 80 : 0 : 75 mUSD)
    const h = bars.map((b) => b.h);
    expect(h[1] / h[0]).to.be.closeTo(0.5, 1e-9);
    expect(h[5] / h[0]).to.be.closeTo(0.75, 1e-9);
    expect(h[4]).to.equal(0);
    expect(bars[0].title).to.equal("Epoch 0 (final, version 1): 100.000000 mUSD per active node (4 nodes); utilization 80.00%");
    expect(bars[4].title).to.contain("no active node; utilization –");
    expect(c.title).to.equal("Revenue per active node (mUSD) and utilization per epoch");
  });

  it("draws a utilization point where there is one, and breaks the line at a voided epoch and an unknown utilization", function () {
    const c = revenueUtilizationChart(report(lines))!;
    const points = rects(c.primitives, "utilizationBps");
    expect(points.map((p) => p.data!.epoch)).to.deep.equal(["0", "1", "3", "5"]);
    expect(c.marks).to.equal(6 + 4);
    const stroke = points[0].fill;
    // epochs 0-1 form one run; 3 and 5 stand alone (no segment of one point)
    const runs = polylines(c.primitives, stroke).filter((l) => l.points[0][1] < c.height - 20); // not the legend's sample
    expect(runs).to.have.length(1);
    expect(runs[0].points).to.have.length(2);
    // 125% is above 100%: the right axis goes past it, and the point stays inside the plot
    const labels = c.primitives.filter((p): p is Extract<Primitive, { t: "text" }> => p.t === "text" && p.fill === stroke).map((p) => p.text);
    expect(labels).to.include("100%");
    const top = Math.max(...labels.filter((l) => l.endsWith("%")).map((l) => Number(l.slice(0, -1))));
    expect(top).to.be.at.least(125);
    const y = (i: number) => points[i].y;
    expect(y(1)).to.be.lessThan(y(0)); // higher utilization, higher point
    expect(y(1)).to.be.at.least(0);
  });

  it("names the statuses present in its legend, and lays out one chart per network in reportCharts", function () {
    const c = revenueUtilizationChart(report(lines))!;
    const legend = c.primitives.filter((p): p is Extract<Primitive, { t: "text" }> => p.t === "text" && p.text.startsWith("per node, ")).map((p) => p.text);
    expect(legend).to.deep.equal(["per node, final", "per node, pending", "per node, challenged", "per node, voided"]);
    const two = report([...lines, line({ networkId: 2, epoch: 0, status: "final", activeNodes: 2, revenuePerActiveNode: "1000000", utilizationBps: 5_000 })]);
    const ids = reportCharts(two).map((x) => x.id);
    expect(ids).to.deep.equal(["revenue-per-epoch", "revenue-per-node-utilization-1", "revenue-per-node-utilization-2"]);
    expect(revenueUtilizationChart(two, 2)!.marks).to.equal(2);
    expect(revenueUtilizationChart(report([]))).to.equal(null);
    // all networks at once: categories read network/epoch
    const all = revenueUtilizationChart(two)!;
    expect(rects(all.primitives, "revenuePerActiveNode").map((b) => b.title!.split(" (")[0])).to.include("Epoch 2/0");
  });
});
