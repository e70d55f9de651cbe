using DistillOperator.Api.Schema;

namespace DistillOperator.Training.Runs;

/// <summary>The API's spelling of enum values ("all-layers"), for reports and logs.</summary>
public static class OpenApiNames
{
    /// <summary>The JSON name of an enum value.</summary>
    public static string Of<T>(T value)
        where T : struct, Enum => OpenApiSchemaBuilder.EnumNames(typeof(T))[Array.IndexOf(Enum.GetValues<T>(), value)];
}
