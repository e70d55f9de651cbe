using DistillOperator.Status;

namespace DistillOperator.Tests;

public sealed class ConditionsTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-28T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void A_new_condition_is_added_with_its_transition_time()
    {
        var conditions = Conditions.Set(null, ConditionTypes.Validated, true, ConditionReasons.SpecValid, "ok", 1, T0);

        var condition = Assert.Single(conditions);
        Assert.Equal(("Validated", "True", "SpecValid", 1L), (condition.Type, condition.Status, condition.Reason, condition.ObservedGeneration!.Value));
        Assert.Equal(T0.UtcDateTime, condition.LastTransitionTime);
    }

    [Fact]
    public void The_transition_time_moves_only_when_the_status_flips()
    {
        var conditions = Conditions.Set(null, ConditionTypes.Stalled, false, "Progressing", "", 1, T0);

        Conditions.Set(conditions, ConditionTypes.Stalled, false, "Progressing", "still fine", 2, T0.AddMinutes(5));
        var unchanged = conditions.Single().LastTransitionTime;
        Conditions.Set(conditions, ConditionTypes.Stalled, true, "NoProgress", "no progress for 1800 s", 2, T0.AddMinutes(30));

        Assert.Equal(T0.UtcDateTime, unchanged);
        Assert.Equal(T0.AddMinutes(30).UtcDateTime, conditions.Single().LastTransitionTime);
        Assert.Equal(("True", "NoProgress", 2L), (conditions.Single().Status, conditions.Single().Reason, conditions.Single().ObservedGeneration!.Value));
        Assert.True(Conditions.IsTrue(conditions, ConditionTypes.Stalled));
        Assert.False(Conditions.IsTrue(conditions, ConditionTypes.Failed));
    }
}
