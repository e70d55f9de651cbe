namespace DistillOperator.Api.Manifests;

/// <summary>A manifest file is not well-formed YAML or JSON; says where.</summary>
public sealed class ManifestSyntaxException : Exception
{
    /// <summary>Creates the exception for a problem at a 1-based line and column.</summary>
    public ManifestSyntaxException(int line, int column, string reason, Exception? inner = null)
        : base($"line {line}, column {column}: {reason}", inner)
    {
        Line = line;
        Column = column;
        Reason = reason;
    }

    /// <summary>1-based line of the problem.</summary>
    public int Line { get; }

    /// <summary>1-based column of the problem.</summary>
    public int Column { get; }

    /// <summary>What is wrong, without the position.</summary>
    public string Reason { get; }
}
