using System.Runtime.InteropServices;

namespace DistillOperator.Training.Outputs;

/// <summary>
/// rename(2): replaces the target name in one step, whatever it is (a symbolic link to a folder included), so a
/// reader sees the old target or the new one and never neither. File.Move checks the target first and refuses a link
/// that points at a folder.
/// </summary>
internal static partial class AtomicRename
{
    /// <summary>Renames <paramref name="source"/> over <paramref name="target"/>.</summary>
    /// <exception cref="IOException">The rename failed; the message has the system's reason.</exception>
    public static void Replace(string source, string target)
    {
        if (Rename(source, target) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            throw new IOException($"cannot rename {source} to {target}: {Marshal.GetPInvokeErrorMessage(error)}");
        }
    }

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Rename(string source, string target);
}
