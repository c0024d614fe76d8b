// A WSDL that cannot be used: not one, unreadable, importing what it may not, or lacking what was asked for.
// Its own file so that the message can be told apart without loading the SOAP library.
export class WsdlError extends Error {
  override name = "WsdlError";
}
