/* test_info.c - placeholder */
int main(void){return 0;}
