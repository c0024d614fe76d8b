// Sign-in answers the browser's sign-in form tells apart (it asks for the second factor on these), kept free of
// server code so the client bundle can import them.

/** The answer to a right password of an account with two-factor sign-in when no code came with it. */
export const SECOND_FACTOR_NEEDED = "Enter the code from your authenticator app, or a recovery code.";

export const WRONG_SECOND_FACTOR = "That code is not correct, or it was already used.";
