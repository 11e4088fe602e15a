namespace Resolver.Core.Polling;

/// <summary>A socket's reader in a <see cref="PollLoop"/>: called on the loop's thread.</summary>
internal interface IReadable
{
    /// <summary>The socket has a datagram (or an error) to read: read one.</summary>
    void OnReadable();

    /// <summary>The loop is closing with this reader still watched: let go of the socket.</summary>
    void OnLoopClosed();
}
