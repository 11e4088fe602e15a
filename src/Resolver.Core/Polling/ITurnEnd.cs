namespace Resolver.Core.Polling;

/// <summary>Work a <see cref="PollLoop"/> holds until the end of the turn (<see cref="PollLoop.AtTurnEnd"/>), done on its thread.</summary>
internal interface ITurnEnd
{
    /// <summary>The turn's reads are handled: do the work held. Must not throw.</summary>
    void OnTurnEnd();
}
