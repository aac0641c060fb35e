using HcpPlatform.Engine.Randomness;
using HcpPlatform.Engine.Statistics;

namespace HcpPlatform.Engine.Tests.Interventions;

/// <summary>UpliftScoring's figures on cases computed by hand (the definitions are in its summary).</summary>
public sealed class UpliftScoringTests
{
    private static readonly Guid[] Ids = [.. Enumerable.Range(1, 4).Select(i => new Guid(i, 0, 0, new byte[8]))];

    // True effects 3, 1, 0, −1; HCPs 1 and 2 treated. True ATE 0.75, ATT 2.
    private static readonly TrueHcpEffect[] Truth =
        [new(Ids[0], true, 3), new(Ids[1], true, 1), new(Ids[2], false, 0), new(Ids[3], false, -1)];

    [Fact]
    public void Oracle_areas_match_the_hand_computation()
    {
        // Ranked 3, 1, 0, −1: Q = 3, 4, 4, 3 against the random line 0.75, 1.5, 2.25, 3 → Σ = 6.5, A = 6.5 / 16.
        // U = 3, 2, 4/3, 3/4 against the mean 3/4 → Σ = 49/12, B = 49/48.
        var (qini, auuc) = UpliftScoring.Areas([3, 1, 0, -1], [3, 1, 0, -1]);
        Assert.Equal(6.5 / 16, qini, 12);
        Assert.Equal(49.0 / 48, auuc, 12);
    }

    [Fact]
    public void A_model_ranking_is_scored_as_computed_by_hand()
    {
        var estimates = new EstimateInput(
            [new(Ids[0], 0.5), new(Ids[1], 0.9), new(Ids[2], 0.1), new(Ids[3], 0.2)], null, null, null);
        var score = UpliftScoring.Score("rx", Truth, estimates);

        Assert.Equal("rx", score.Outcome);
        Assert.Equal(4, score.Hcps);
        Assert.Equal(0.75, score.TrueAte, 12);
        Assert.Equal(2.0, score.TrueAtt, 12);
        Assert.Equal(0.425, score.EstimatedAte, 12);          // mean of the per-HCP estimates
        Assert.Equal(-0.325, score.Bias, 12);
        Assert.Null(score.AteCovered);
        // Errors −2.5, −0.1, 0.1, 1.2: √(7.71 / 4).
        Assert.Equal(Math.Sqrt(7.71 / 4), score.Pehe!.Value, 12);
        // Ranked by estimate: effects 1, 3, −1, 0 → Q = 1, 4, 3, 3; Σ(Q − line) = 3.5 of the oracle's 6.5.
        Assert.Equal(3.5 / 6.5, score.Qini!.Value, 12);
        // U = 1, 2, 1, 3/4 → Σ(U − 3/4) = 1.75 of the oracle's 49/12.
        Assert.Equal(1.75 / (49.0 / 12), score.Auuc!.Value, 12);
        Assert.Equal(6.5 / 16, score.OracleQini, 12);
        Assert.Equal(49.0 / 48, score.OracleAuuc, 12);
    }

    [Fact]
    public void The_oracle_scores_one_the_reverse_ranking_minus_one_and_ties_zero()
    {
        UpliftScore Ranked(params double[] e) => UpliftScoring.Score("meeting", Truth,
            new EstimateInput([.. Ids.Select((id, i) => new UpliftEstimate(id, e[i]))], null, null, null));

        var oracle = Ranked(3, 1, 0, -1);
        Assert.Equal(1.0, oracle.Qini!.Value, 12);
        Assert.Equal(1.0, oracle.Auuc!.Value, 12);
        Assert.Equal(0.0, oracle.Pehe!.Value, 12);
        Assert.Equal(0.0, oracle.Bias, 12);

        var reverse = Ranked(-3, -1, 0, 1);
        Assert.Equal(-1.0, reverse.Qini!.Value, 12);
        // U = −1, −1/2, 0, 3/4 → Σ(U − 3/4) = −3.75 of 49/12.
        Assert.Equal(-3.75 / (49.0 / 12), reverse.Auuc!.Value, 12);

        // Every estimate equal: one tie group shares its sum evenly, so the curve is the random line.
        var flat = Ranked(0.2, 0.2, 0.2, 0.2);
        Assert.Equal(0.0, flat.Qini!.Value, 12);
        Assert.Equal(0.0, flat.Auuc!.Value, 12);
    }

    [Fact]
    public void A_tie_group_counts_as_the_mean_of_its_orders()
    {
        // Effects 3 and 1 tied at the top, then 0, −1: Q = 2, 4, 4, 3 → Σ(Q − line) = 1.25 + 2.5 + 1.75 = 5.5.
        var (qini, _) = UpliftScoring.Areas([1, 1, 0, -1], [3, 1, 0, -1]);
        Assert.Equal(5.5 / 16, qini, 12);
    }

    [Fact]
    public void A_random_ranking_scores_about_zero()
    {
        const int n = 4000;
        var effects = new double[n];
        var scores = new double[n];
        var truth = new List<TrueHcpEffect>(n);
        var estimates = new List<UpliftEstimate>(n);
        for (var i = 0; i < n; i++)
        {
            var r = new KeyedRandom(7, StreamKind.Intervention, i);
            effects[i] = r.Normal(0.5, 1);
            var id = new Guid(i, 0, 0, new byte[8]);
            truth.Add(new TrueHcpEffect(id, i % 2 == 0, effects[i]));
            estimates.Add(new UpliftEstimate(id, r.NextDouble()));
        }
        var score = UpliftScoring.Score("rx", truth, new EstimateInput(estimates, null, null, null));
        // The normalised areas of a random order have sd ≈ 0.03 here.
        Assert.InRange(score.Qini!.Value, -0.15, 0.15);
        Assert.InRange(score.Auuc!.Value, -0.15, 0.15);
    }

    [Fact]
    public void An_ate_with_an_interval_is_scored_for_bias_and_coverage()
    {
        var covering = UpliftScoring.Score("rx", Truth, new EstimateInput(null, 1.0, 0.5, 1.5));
        Assert.Equal(1.0, covering.EstimatedAte);
        Assert.Equal(0.25, covering.Bias, 12);
        Assert.True(covering.AteCovered);
        Assert.Null(covering.Pehe);
        Assert.Null(covering.Qini);
        Assert.Null(covering.Auuc);
        Assert.Equal(6.5 / 16, covering.OracleQini, 12);      // over the whole target population

        var missing = UpliftScoring.Score("rx", Truth, new EstimateInput(null, 1.0, 0.8, 1.5));
        Assert.False(missing.AteCovered);
        Assert.Null(UpliftScoring.Score("rx", Truth, new EstimateInput(null, 1.0, null, 1.5)).AteCovered);

        // A given ATE wins over the mean of per-HCP estimates.
        var both = UpliftScoring.Score("rx", Truth, new EstimateInput([new(Ids[0], 10)], 0.7, null, null));
        Assert.Equal(0.7, both.EstimatedAte);
        Assert.Equal(7.0, both.Pehe!.Value, 12);
        Assert.Null(both.Qini);                                // one HCP: nothing to rank
    }

    [Fact]
    public void Bad_estimates_are_refused_with_a_clear_message()
    {
        var stranger = Guid.Parse("00000000-0000-0000-0000-0000000000ff");
        var outside = Assert.Throws<UpliftInputException>(() =>
            UpliftScoring.Score("rx", Truth, new EstimateInput([new(stranger, 1)], null, null, null)));
        Assert.Contains("not in the intervention's target population", outside.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", outside.Message, StringComparison.Ordinal); // the sentence as the sender reads it
        Assert.Throws<UpliftInputException>(() =>
            UpliftScoring.Score("rx", Truth, new EstimateInput([new(Ids[0], 1), new(Ids[0], 2)], null, null, null)));
        Assert.Throws<UpliftInputException>(() => UpliftScoring.Score("rx", Truth, new EstimateInput(null, null, null, null)));
        Assert.Throws<UpliftInputException>(() => UpliftScoring.Score("rx", Truth, new EstimateInput(null, 1, 2, 1)));
        Assert.Throws<UpliftInputException>(() => UpliftScoring.Score("rx", Truth, new EstimateInput(null, double.NaN, null, null)));
    }
}
