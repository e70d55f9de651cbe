using System.Runtime.InteropServices;

namespace DistillOperator.Training.Checkpoints;

/// <summary>A second name for an existing file (link(2)): no bytes are copied, and the data lives on until both names are gone.</summary>
internal static partial class HardLink
{
    /// <summary>
    /// Gives <paramref name="existing"/> the further name <paramref name="created"/>; false where that is not possible
    /// (another file system, one without hard links such as some object-store mounts, or not a POSIX system), so the
    /// caller writes the file instead.
    /// </summary>
    public static bool TryCreate(string existing, string created)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        try
        {
            return Link(existing, created) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string created);
}
