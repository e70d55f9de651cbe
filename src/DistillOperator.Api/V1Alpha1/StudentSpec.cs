using System.Text.Json.Serialization;
using DistillOperator.Api.Schema;

namespace DistillOperator.Api.V1Alpha1;

/// <summary>The student: a smaller encoder of the teacher's family.</summary>
[CelRule("!has(self.freezeEmbeddings) || !self.freezeEmbeddings || !has(self.initFrom) || self.initFrom == 'teacher'", "freezeEmbeddings needs initFrom teacher: frozen random embeddings would never learn")]
public sealed class StudentSpec
{
    /// <summary>The student's shape. Unset fields come from the teacher; layers defaults to half the teacher's.</summary>
    [JsonPropertyName("architecture")]
    public ArchitectureSpec? Architecture { get; set; }

    /// <summary>teacher: copy the embeddings, the mapped teacher layers and the classifier (DistilBERT style; needs the teacher's width); random: initialise from scratch.</summary>
    [JsonPropertyName("initFrom")]
    public StudentInit InitFrom { get; set; } = StudentInit.Teacher;

    /// <summary>Keep the student's embedding tables (word piece, position, token type) as copied from the teacher: the word-piece table is most of a small student's parameters, so each step skips its gradient and optimizer update. Needs initFrom: teacher.</summary>
    [JsonPropertyName("freezeEmbeddings")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] // unset, a spec serialises (and hashes, for checkpoints) as before the field existed
    public bool FreezeEmbeddings { get; set; }
}

/// <summary>How the student's weights start.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<StudentInit>))]
public enum StudentInit
{
    /// <summary>Copy the mapped teacher layers, embeddings and classifier.</summary>
    [JsonStringEnumMemberName("teacher")] Teacher,

    /// <summary>Random initialisation.</summary>
    [JsonStringEnumMemberName("random")] Random,
}
